//! Godot's Variant: the value, its types, Godot's `==`, and the wire formats
//! of `var_to_bytes` / `put_var` for Godot 4 ([`encode`], [`decode`]) and
//! Godot 3 (the same modules, with [`Format::Godot3`]).
//!
//! Every value the library holds obeys one bound: containers nest at most
//! [`MAX_DEPTH`] levels (Godot's `MAX_RECURSION_DEPTH`). The decoder refuses
//! deeper input and the builders refuse to nest deeper, so the recursive
//! code here (encode, compare, copy, drop) never runs away.

pub mod decode;
pub mod encode;
pub(crate) mod quick;

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::ffi::{CStr, CString};
use std::hash::{BuildHasher, Hash, Hasher};

/// Godot's `MAX_RECURSION_DEPTH` for encoding and decoding.
pub const MAX_DEPTH: usize = 1024;

/// Variant types with Godot 4's ids (`Variant::Type`).
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VariantType {
    TYPE_NIL = 0,
    TYPE_BOOL = 1,
    TYPE_INT = 2,
    TYPE_FLOAT = 3,
    TYPE_STRING = 4,
    TYPE_VECTOR2 = 5,
    TYPE_VECTOR2I = 6,
    TYPE_RECT2 = 7,
    TYPE_RECT2I = 8,
    TYPE_VECTOR3 = 9,
    TYPE_VECTOR3I = 10,
    TYPE_TRANSFORM2D = 11,
    TYPE_VECTOR4 = 12,
    TYPE_VECTOR4I = 13,
    TYPE_PLANE = 14,
    TYPE_QUATERNION = 15,
    TYPE_AABB = 16,
    TYPE_BASIS = 17,
    TYPE_TRANSFORM3D = 18,
    TYPE_PROJECTION = 19,
    TYPE_COLOR = 20,
    TYPE_STRING_NAME = 21,
    TYPE_NODE_PATH = 22,
    TYPE_RID = 23,
    TYPE_OBJECT = 24,
    TYPE_CALLABLE = 25,
    TYPE_SIGNAL = 26,
    TYPE_DICTIONARY = 27,
    TYPE_ARRAY = 28,
    TYPE_PACKED_BYTE_ARRAY = 29,
    TYPE_PACKED_INT32_ARRAY = 30,
    TYPE_PACKED_INT64_ARRAY = 31,
    TYPE_PACKED_FLOAT32_ARRAY = 32,
    TYPE_PACKED_FLOAT64_ARRAY = 33,
    TYPE_PACKED_STRING_ARRAY = 34,
    TYPE_PACKED_VECTOR2_ARRAY = 35,
    TYPE_PACKED_VECTOR3_ARRAY = 36,
    TYPE_PACKED_COLOR_ARRAY = 37,
    TYPE_PACKED_VECTOR4_ARRAY = 38,
}

use VariantType::*;

impl VariantType {
    /// The type with this Godot 4 id.
    pub fn from_id(id: u32) -> Option<VariantType> {
        ALL_TYPES.get(usize::try_from(id).ok()?).copied()
    }

    /// How many numbers a math type holds (`None` for other types).
    pub fn math_len(self) -> Option<usize> {
        Some(match self {
            TYPE_VECTOR2 | TYPE_VECTOR2I => 2,
            TYPE_VECTOR3 | TYPE_VECTOR3I => 3,
            TYPE_RECT2 | TYPE_RECT2I | TYPE_VECTOR4 | TYPE_VECTOR4I => 4,
            TYPE_PLANE | TYPE_QUATERNION | TYPE_COLOR => 4,
            TYPE_TRANSFORM2D | TYPE_AABB => 6,
            TYPE_BASIS => 9,
            TYPE_TRANSFORM3D => 12,
            TYPE_PROJECTION => 16,
            _ => return None,
        })
    }

    /// Math types made of 32-bit integers (Vector2i, Rect2i, …).
    pub fn is_integer_math(self) -> bool {
        matches!(
            self,
            TYPE_VECTOR2I | TYPE_RECT2I | TYPE_VECTOR3I | TYPE_VECTOR4I
        )
    }
}

const ALL_TYPES: [VariantType; 39] = [
    TYPE_NIL,
    TYPE_BOOL,
    TYPE_INT,
    TYPE_FLOAT,
    TYPE_STRING,
    TYPE_VECTOR2,
    TYPE_VECTOR2I,
    TYPE_RECT2,
    TYPE_RECT2I,
    TYPE_VECTOR3,
    TYPE_VECTOR3I,
    TYPE_TRANSFORM2D,
    TYPE_VECTOR4,
    TYPE_VECTOR4I,
    TYPE_PLANE,
    TYPE_QUATERNION,
    TYPE_AABB,
    TYPE_BASIS,
    TYPE_TRANSFORM3D,
    TYPE_PROJECTION,
    TYPE_COLOR,
    TYPE_STRING_NAME,
    TYPE_NODE_PATH,
    TYPE_RID,
    TYPE_OBJECT,
    TYPE_CALLABLE,
    TYPE_SIGNAL,
    TYPE_DICTIONARY,
    TYPE_ARRAY,
    TYPE_PACKED_BYTE_ARRAY,
    TYPE_PACKED_INT32_ARRAY,
    TYPE_PACKED_INT64_ARRAY,
    TYPE_PACKED_FLOAT32_ARRAY,
    TYPE_PACKED_FLOAT64_ARRAY,
    TYPE_PACKED_STRING_ARRAY,
    TYPE_PACKED_VECTOR2_ARRAY,
    TYPE_PACKED_VECTOR3_ARRAY,
    TYPE_PACKED_COLOR_ARRAY,
    TYPE_PACKED_VECTOR4_ARRAY,
];

/// Which wire format: Godot 4's, or Godot 3's type ids and rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Godot3,
    Godot4,
}

impl Format {
    /// 3 or 4; anything else is not a format.
    pub fn from_major(major: i32) -> Option<Format> {
        match major {
            3 => Some(Format::Godot3),
            4 => Some(Format::Godot4),
            _ => None,
        }
    }

    pub fn major(self) -> i32 {
        match self {
            Format::Godot3 => 3,
            Format::Godot4 => 4,
        }
    }
}

/// Text held by a Variant: valid UTF-8 without NUL bytes, stored with its
/// NUL terminator so C can borrow it as is. Short text (the keys and
/// names of a game message) lives inline, without an allocation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Text(Repr);

/// Up to this many bytes a [`Text`] holds inline.
const INLINE_TEXT: usize = 21;

/// Always `Inline` when the text fits, zero-filled after its bytes, so
/// equal texts have equal representations (the derived `==` and hash).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Repr {
    Inline {
        len: u8,
        bytes: [u8; INLINE_TEXT + 1],
    },
    Heap(CString),
}

impl Default for Text {
    fn default() -> Text {
        Text(Repr::Inline {
            len: 0,
            bytes: [0; INLINE_TEXT + 1],
        })
    }
}

impl Text {
    /// `None` when `s` contains a NUL byte.
    pub fn new(s: &str) -> Option<Text> {
        if s.len() > INLINE_TEXT {
            return CString::new(s).ok().map(|c| Text(Repr::Heap(c)));
        }
        if s.as_bytes().contains(&0) {
            return None;
        }
        let mut bytes = [0; INLINE_TEXT + 1];
        bytes[..s.len()].copy_from_slice(s.as_bytes());
        Some(Text(Repr::Inline {
            len: s.len() as u8,
            bytes,
        }))
    }

    /// The text of a decoded string's bytes: a UTF-8 byte order mark
    /// skipped, cut at the first NUL (as Godot's decoder does). `None` when
    /// what is left is not UTF-8.
    #[inline]
    pub fn from_wire(raw: &[u8]) -> Option<Text> {
        let raw = raw.strip_prefix(&[0xef, 0xbb, 0xbf]).unwrap_or(raw);
        if raw.len() > INLINE_TEXT {
            let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
            let s = std::str::from_utf8(&raw[..end]).ok()?;
            return Some(Text::new(s).expect("cut at the first NUL"));
        }
        // Short text (most keys and names): one pass copies it, finds the
        // NUL, and sees whether it is ASCII (then it needs no UTF-8 check).
        let mut bytes = [0; INLINE_TEXT + 1];
        let mut len = 0;
        let mut ascii = true;
        for &b in raw {
            if b == 0 {
                break;
            }
            ascii &= b.is_ascii();
            bytes[len] = b;
            len += 1;
        }
        if !ascii && std::str::from_utf8(&bytes[..len]).is_err() {
            return None;
        }
        Some(Text(Repr::Inline {
            len: len as u8,
            bytes,
        }))
    }

    /// Text of at most [`INLINE_TEXT`] bytes, all of them ASCII and none
    /// NUL (the usual key or name), as [`Text::from_wire`] gives it; `None`
    /// for any other bytes.
    #[inline(always)]
    pub fn short_ascii(raw: &[u8]) -> Option<Text> {
        if raw.len() > INLINE_TEXT {
            return None;
        }
        let mut bytes = [0; INLINE_TEXT + 1];
        for (to, &b) in bytes.iter_mut().zip(raw) {
            if b == 0 || !b.is_ascii() {
                return None;
            }
            *to = b;
        }
        Some(Text(Repr::Inline {
            len: raw.len() as u8,
            bytes,
        }))
    }

    /// Godot's string encoding of short (inline) text, made whole: the u32
    /// length, the bytes and the zeros to a multiple of 4 (the inline bytes
    /// are zero after the text), in a chunk of fixed size, and how many of
    /// its bytes that encoding is. `None` for text on the heap.
    #[inline(always)]
    pub fn wire_chunk(&self) -> Option<([u8; 4 + INLINE_TEXT + 3], usize)> {
        let Repr::Inline { len, bytes } = &self.0 else {
            return None;
        };
        let len = usize::from(*len);
        let mut chunk = [0u8; 4 + INLINE_TEXT + 3];
        chunk[..4].copy_from_slice(&(len as u32).to_le_bytes());
        chunk[4..4 + bytes.len()].copy_from_slice(bytes);
        Some((chunk, 4 + len.next_multiple_of(4)))
    }

    /// Appends [`Text::wire_chunk`] to `out`: the whole chunk (a copy of
    /// fixed size), then cut back to its end. False, with nothing written,
    /// for text on the heap.
    #[inline]
    pub fn short_to_wire(&self, out: &mut Vec<u8>) -> bool {
        let Some((chunk, n)) = self.wire_chunk() else {
            return false;
        };
        let end = out.len() + n;
        out.extend_from_slice(&chunk);
        out.truncate(end);
        true
    }

    /// Text up to the first NUL (Godot's decoders stop there too).
    pub fn until_nul(s: &str) -> Text {
        let end = s.find('\0').unwrap_or(s.len());
        Text::new(&s[..end]).expect("no NUL before `end`")
    }

    /// The bytes, without the NUL.
    pub fn bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Repr::Heap(c) => c.as_bytes(),
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(self.bytes()).expect("Text is built from &str")
    }

    pub fn as_c(&self) -> &CStr {
        match &self.0 {
            Repr::Inline { len, bytes } => CStr::from_bytes_with_nul(&bytes[..=usize::from(*len)])
                .expect("inline text ends at its NUL"),
            Repr::Heap(c) => c,
        }
    }

    pub fn len(&self) -> usize {
        self.bytes().len()
    }

    /// Held without an allocation.
    pub fn is_inline(&self) -> bool {
        matches!(self.0, Repr::Inline { .. })
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A NodePath: names, subnames, absolute flag, and its text ("/a/b:c").
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct NodePath {
    pub names: Vec<Text>,
    pub subnames: Vec<Text>,
    pub absolute: bool,
    text: Text,
}

impl NodePath {
    /// Builds a path from its parts and computes its text.
    pub fn from_parts(names: Vec<Text>, subnames: Vec<Text>, absolute: bool) -> NodePath {
        let mut s = String::new();
        if absolute {
            s.push('/');
        }
        s.push_str(&names.iter().map(Text::as_str).collect::<Vec<_>>().join("/"));
        for sub in &subnames {
            s.push(':');
            s.push_str(sub.as_str());
        }
        let text = Text::new(&s).expect("parts hold no NUL");
        NodePath {
            names,
            subnames,
            absolute,
            text,
        }
    }

    /// Parses Godot's path syntax: "/root/Node:property:sub". Empty
    /// segments are dropped.
    pub fn parse(path: &str) -> Option<NodePath> {
        let absolute = path.starts_with('/');
        let (node_part, sub_part) = match path.find(':') {
            Some(i) => (&path[..i], Some(&path[i + 1..])),
            None => (path, None),
        };
        let names = node_part
            .split('/')
            .filter(|s| !s.is_empty())
            .map(Text::new)
            .collect::<Option<Vec<_>>>()?;
        let subnames = match sub_part {
            Some(s) => s
                .split(':')
                .filter(|s| !s.is_empty())
                .map(Text::new)
                .collect::<Option<Vec<_>>>()?,
            None => Vec::new(),
        };
        Some(NodePath::from_parts(names, subnames, absolute))
    }

    pub fn text(&self) -> &Text {
        &self.text
    }
}

/// The element or key/value type of a typed Array or Dictionary.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum ContainerType {
    #[default]
    None,
    Builtin(VariantType),
    /// A class name (objects of that class).
    ClassName(Text),
    /// A script path (objects with that script).
    Script(Text),
}

impl ContainerType {
    /// Whether a value may be stored in a container of this type.
    pub fn admits(&self, v: &Variant) -> bool {
        match self {
            ContainerType::None => true,
            ContainerType::Builtin(t) => v.get_type() == *t,
            ContainerType::ClassName(_) | ContainerType::Script(_) => {
                matches!(v, Variant::Object(_) | Variant::Nil)
            }
        }
    }

    /// The "kind" bits of the header: NONE 0, BUILTIN 1, CLASS_NAME 2, SCRIPT 3.
    pub fn kind(&self) -> u32 {
        match self {
            ContainerType::None => 0,
            ContainerType::Builtin(_) => 1,
            ContainerType::ClassName(_) => 2,
            ContainerType::Script(_) => 3,
        }
    }
}

/// An Object as it travels: an instance id, or (with full objects) a class
/// name and its stored properties.
#[derive(Debug, Clone)]
pub enum Object {
    /// An instance id; 0 is the null object.
    Id(u64),
    Full(Box<FullObject>),
}

/// A full object: its class name and stored properties, in order.
#[derive(Debug, Clone, Default)]
pub struct FullObject {
    pub class: Text,
    pub properties: Vec<(Text, Variant)>,
}

impl Object {
    pub fn full(class: Text, properties: Vec<(Text, Variant)>) -> Object {
        Object::Full(Box::new(FullObject { class, properties }))
    }
}

/// An Array: elements, and the element type when it is typed.
#[derive(Debug, Clone, Default)]
pub struct Array {
    pub elem_type: ContainerType,
    pub items: Vec<Variant>,
}

/// A Dictionary: entries in insertion order, key/value types, and, once it
/// holds more than [`SMALL_DICT`] entries, a hash index so lookups and
/// inserts stay O(1) even for huge decoded input. Small ones (the usual
/// game message) are searched in order: no hashing and no allocation
/// besides the entries.
#[derive(Debug, Clone, Default)]
pub struct Dictionary {
    pub key_type: ContainerType,
    pub value_type: ContainerType,
    entries: Vec<(Variant, Variant)>,
    index: Option<Box<KeyIndex>>,
}

/// Up to this many entries a Dictionary has no hash index.
const SMALL_DICT: usize = 8;

/// Key hash → the last entry with that hash; `chain[i]` is the entry
/// before `i` with the same hash (`NONE` ends it). A randomly keyed hasher,
/// so crafted keys cannot force collisions.
#[derive(Debug, Clone, Default)]
struct KeyIndex {
    map: HashMap<u64, usize>,
    chain: Vec<usize>,
    hasher: RandomState,
}

impl KeyIndex {
    fn hash_of(&self, key: &Variant) -> u64 {
        let mut h = self.hasher.build_hasher();
        key.key_hash(&mut h);
        h.finish()
    }

    /// Records entry `i`, whose key hashes to `h`.
    fn add(&mut self, h: u64, i: usize) {
        let previous = self.map.insert(h, i).unwrap_or(NONE);
        self.chain.push(previous);
    }
}

const NONE: usize = usize::MAX;

/// The index of `key` among `entries`, searched in order (a Dictionary
/// without its hash index).
#[inline]
fn find_in(entries: &[(Variant, Variant)], key: &Variant) -> Option<usize> {
    match key {
        // String keys (the usual ones) match only String keys.
        Variant::String(s) => entries
            .iter()
            .position(|(k, _)| matches!(k, Variant::String(t) if t == s)),
        _ => entries.iter().position(|(k, _)| k.same_key(key)),
    }
}

impl Dictionary {
    /// An empty Dictionary with room for `n` entries.
    pub fn with_capacity(n: usize) -> Dictionary {
        Dictionary {
            key_type: ContainerType::default(),
            value_type: ContainerType::default(),
            entries: Vec::with_capacity(n),
            index: None,
        }
    }

    /// The entries, in insertion order.
    pub fn entries(&self) -> &[(Variant, Variant)] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn find_hashed(&self, index: &KeyIndex, h: u64, key: &Variant) -> Option<usize> {
        let mut i = *index.map.get(&h)?;
        while i != NONE {
            if self.entries[i].0.same_key(key) {
                return Some(i);
            }
            i = index.chain[i];
        }
        None
    }

    /// The index of the entry whose key is `key` (Godot's key comparison:
    /// same type and same value; NaN keys match NaN keys).
    #[inline]
    pub fn find(&self, key: &Variant) -> Option<usize> {
        match &self.index {
            Some(index) => self.find_hashed(index, index.hash_of(key), key),
            None => find_in(&self.entries, key),
        }
    }

    /// Sets `key` to `value`, keeping the position of an existing key.
    #[inline]
    pub fn set(&mut self, key: Variant, value: Variant) {
        if let Some(i) = self.find(&key) {
            self.entries[i].1 = value;
            return;
        }
        if self.index.is_none() && self.entries.len() == SMALL_DICT {
            let mut index = Box::<KeyIndex>::default();
            for (i, (k, _)) in self.entries.iter().enumerate() {
                let h = index.hash_of(k);
                index.add(h, i);
            }
            self.index = Some(index);
        }
        if let Some(index) = &mut self.index {
            let h = index.hash_of(&key);
            index.add(h, self.entries.len());
        }
        self.entries.push((key, value));
    }

    /// The value for `key`.
    pub fn get(&self, key: &Variant) -> Option<&Variant> {
        self.find(key).map(|i| &self.entries[i].1)
    }
}

/// Drops values one at a time from an explicit stack, so that dropping a
/// deeply nested value never recurses (each container's own `Drop` finds
/// its children already taken).
fn drop_flat(mut stack: Vec<Variant>) {
    while let Some(mut v) = stack.pop() {
        match &mut v {
            Variant::Array(a) => stack.append(&mut a.items),
            Variant::Dictionary(d) => {
                d.index = None;
                for (k, x) in d.entries.drain(..) {
                    stack.push(k);
                    stack.push(x);
                }
            }
            Variant::Object(Object::Full(f)) => {
                stack.extend(f.properties.drain(..).map(|(_, x)| x))
            }
            _ => {}
        }
    }
}

impl Variant {
    /// Holds other values (dropping it may go deeper).
    #[inline]
    fn is_container(&self) -> bool {
        matches!(
            self,
            Variant::Array(_) | Variant::Dictionary(_) | Variant::Object(Object::Full(_))
        )
    }
}

impl Variant {
    /// Holds nothing on the heap, so dropping it does nothing: most values
    /// of a game message (numbers, Vector2, short text).
    #[inline]
    fn owns_nothing(&self) -> bool {
        match self {
            Variant::String(s) | Variant::StringName(s) => s.is_inline(),
            Variant::Math(_, c) => matches!(c, Numbers::Two(_)),
            Variant::Nil
            | Variant::Bool(_)
            | Variant::Int(_)
            | Variant::Float(_)
            | Variant::Rid(_)
            | Variant::Callable
            | Variant::Object(Object::Id(_)) => true,
            _ => false,
        }
    }
}

/// Frees the room of `items`, all of which own nothing, without a drop
/// call per item.
fn forget_all<T>(items: Vec<T>) {
    items.into_iter().for_each(std::mem::forget);
}

impl Drop for Array {
    fn drop(&mut self) {
        if self.items.iter().all(Variant::owns_nothing) {
            forget_all(std::mem::take(&mut self.items));
            return;
        }
        // Only nested containers need the explicit stack; a flat one drops
        // its leaves in place (no recursion, no allocation).
        if self.items.iter().any(Variant::is_container) {
            drop_flat(std::mem::take(&mut self.items));
        }
    }
}

impl Drop for Dictionary {
    fn drop(&mut self) {
        if self
            .entries
            .iter()
            .all(|(k, v)| k.owns_nothing() && v.owns_nothing())
        {
            forget_all(std::mem::take(&mut self.entries));
            return;
        }
        if self
            .entries
            .iter()
            .any(|(k, v)| k.is_container() || v.is_container())
        {
            let entries = std::mem::take(&mut self.entries);
            drop_flat(entries.into_iter().flat_map(|(k, v)| [k, v]).collect());
        }
    }
}

impl Drop for Object {
    fn drop(&mut self) {
        if let Object::Full(f) = self {
            if !f.properties.is_empty() {
                drop_flat(f.properties.drain(..).map(|(_, v)| v).collect());
            }
        }
    }
}

/// The numbers of a math value. Two of them (Vector2, Vector2i: what 2D
/// games send most) are held inline, so such a value allocates nothing;
/// more are on the heap.
#[derive(Debug, Clone, PartialEq)]
pub enum Numbers {
    Two([f64; 2]),
    More(Box<[f64]>),
}

impl Numbers {
    pub fn new(c: &[f64]) -> Numbers {
        match c {
            [x, y] => Numbers::Two([*x, *y]),
            _ => Numbers::More(c.into()),
        }
    }
}

impl<'a> IntoIterator for &'a Numbers {
    type Item = &'a f64;
    type IntoIter = std::slice::Iter<'a, f64>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl std::ops::Deref for Numbers {
    type Target = [f64];

    fn deref(&self) -> &[f64] {
        match self {
            Numbers::Two(c) => c,
            Numbers::More(c) => c,
        }
    }
}

/// One Godot value.
#[derive(Debug, Default)]
pub enum Variant {
    #[default]
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(Text),
    /// The math types, VECTOR2 … PROJECTION and COLOR, as numbers in
    /// Godot's order (integers for the *I types).
    Math(VariantType, Numbers),
    StringName(Text),
    NodePath(Box<NodePath>),
    Rid(u64),
    Object(Object),
    Callable,
    Signal {
        /// Boxed: the rarely sent Signal keeps every Variant at 32 bytes.
        name: Box<Text>,
        object: u64,
    },
    Dictionary(Box<Dictionary>),
    Array(Box<Array>),
    PackedBytes(Vec<u8>),
    PackedInt32(Vec<i32>),
    PackedInt64(Vec<i64>),
    PackedFloat32(Vec<f32>),
    PackedFloat64(Vec<f64>),
    PackedStrings(Vec<Text>),
    PackedVector2(Vec<[f32; 2]>),
    PackedVector3(Vec<[f32; 3]>),
    PackedColor(Vec<[f32; 4]>),
    PackedVector4(Vec<[f32; 4]>),
}

impl Variant {
    pub fn array(a: Array) -> Variant {
        Variant::Array(Box::new(a))
    }

    pub fn dictionary(d: Dictionary) -> Variant {
        Variant::Dictionary(Box::new(d))
    }

    pub fn node_path(p: NodePath) -> Variant {
        Variant::NodePath(Box::new(p))
    }

    pub fn get_type(&self) -> VariantType {
        match self {
            Variant::Nil => TYPE_NIL,
            Variant::Bool(_) => TYPE_BOOL,
            Variant::Int(_) => TYPE_INT,
            Variant::Float(_) => TYPE_FLOAT,
            Variant::String(_) => TYPE_STRING,
            Variant::Math(t, _) => *t,
            Variant::StringName(_) => TYPE_STRING_NAME,
            Variant::NodePath(_) => TYPE_NODE_PATH,
            Variant::Rid(_) => TYPE_RID,
            Variant::Object(_) => TYPE_OBJECT,
            Variant::Callable => TYPE_CALLABLE,
            Variant::Signal { .. } => TYPE_SIGNAL,
            Variant::Dictionary(_) => TYPE_DICTIONARY,
            Variant::Array(_) => TYPE_ARRAY,
            Variant::PackedBytes(_) => TYPE_PACKED_BYTE_ARRAY,
            Variant::PackedInt32(_) => TYPE_PACKED_INT32_ARRAY,
            Variant::PackedInt64(_) => TYPE_PACKED_INT64_ARRAY,
            Variant::PackedFloat32(_) => TYPE_PACKED_FLOAT32_ARRAY,
            Variant::PackedFloat64(_) => TYPE_PACKED_FLOAT64_ARRAY,
            Variant::PackedStrings(_) => TYPE_PACKED_STRING_ARRAY,
            Variant::PackedVector2(_) => TYPE_PACKED_VECTOR2_ARRAY,
            Variant::PackedVector3(_) => TYPE_PACKED_VECTOR3_ARRAY,
            Variant::PackedColor(_) => TYPE_PACKED_COLOR_ARRAY,
            Variant::PackedVector4(_) => TYPE_PACKED_VECTOR4_ARRAY,
        }
    }

    /// A math value from its numbers; `None` for a wrong count, a type that
    /// is not a math type, or non-integral / out-of-int32 numbers for the
    /// integer types.
    pub fn math(t: VariantType, c: &[f64]) -> Option<Variant> {
        if t.math_len()? != c.len() {
            return None;
        }
        if t.is_integer_math()
            && !c
                .iter()
                .all(|&x| x.fract() == 0.0 && (i32::MIN as f64..=i32::MAX as f64).contains(&x))
        {
            return None;
        }
        Some(Variant::Math(t, Numbers::new(c)))
    }

    /// How many levels of containers this value holds: 0 for a plain
    /// value or an empty container, else 1 + the deepest child.
    pub fn depth(&self) -> usize {
        let mut deepest = 0;
        let mut todo = vec![(self, 0usize)];
        while let Some((v, level)) = todo.pop() {
            for child in v.children() {
                deepest = deepest.max(level + 1);
                todo.push((child, level + 1));
            }
        }
        deepest
    }

    /// The Variants directly inside this one, in wire order: array items,
    /// dictionary keys and values (k, v, k, v…), object property values.
    pub fn children(&self) -> Box<dyn Iterator<Item = &Variant> + '_> {
        match self {
            Variant::Array(a) => Box::new(a.items.iter()),
            Variant::Dictionary(d) => Box::new(d.entries.iter().flat_map(|(k, v)| [k, v])),
            Variant::Object(Object::Full(f)) => Box::new(f.properties.iter().map(|(_, v)| v)),
            _ => Box::new(std::iter::empty()),
        }
    }

    /// A copy of a value that contains no other Variant, or an empty copy
    /// of a container (same element types, same class).
    fn shallow_clone(&self) -> Variant {
        match self {
            Variant::Nil => Variant::Nil,
            Variant::Bool(b) => Variant::Bool(*b),
            Variant::Int(i) => Variant::Int(*i),
            Variant::Float(f) => Variant::Float(*f),
            Variant::String(s) => Variant::String(s.clone()),
            Variant::Math(t, c) => Variant::Math(*t, c.clone()),
            Variant::StringName(s) => Variant::StringName(s.clone()),
            Variant::NodePath(p) => Variant::NodePath(p.clone()),
            Variant::Rid(r) => Variant::Rid(*r),
            Variant::Object(Object::Id(id)) => Variant::Object(Object::Id(*id)),
            Variant::Object(Object::Full(f)) => Variant::Object(Object::full(
                f.class.clone(),
                Vec::with_capacity(f.properties.len()),
            )),
            Variant::Callable => Variant::Callable,
            Variant::Signal { name, object } => Variant::Signal {
                name: name.clone(),
                object: *object,
            },
            Variant::Dictionary(d) => {
                let mut copy = Dictionary::with_capacity(d.len());
                copy.key_type = d.key_type.clone();
                copy.value_type = d.value_type.clone();
                Variant::dictionary(copy)
            }
            Variant::Array(a) => Variant::array(Array {
                elem_type: a.elem_type.clone(),
                items: Vec::with_capacity(a.items.len()),
            }),
            Variant::PackedBytes(v) => Variant::PackedBytes(v.clone()),
            Variant::PackedInt32(v) => Variant::PackedInt32(v.clone()),
            Variant::PackedInt64(v) => Variant::PackedInt64(v.clone()),
            Variant::PackedFloat32(v) => Variant::PackedFloat32(v.clone()),
            Variant::PackedFloat64(v) => Variant::PackedFloat64(v.clone()),
            Variant::PackedStrings(v) => Variant::PackedStrings(v.clone()),
            Variant::PackedVector2(v) => Variant::PackedVector2(v.clone()),
            Variant::PackedVector3(v) => Variant::PackedVector3(v.clone()),
            Variant::PackedColor(v) => Variant::PackedColor(v.clone()),
            Variant::PackedVector4(v) => Variant::PackedVector4(v.clone()),
        }
    }

    /// Adds `child` to a container made by `shallow_clone`, in wire order.
    /// `key` holds a dictionary key until its value comes; `names` gives an
    /// object's property names.
    fn adopt<'a>(
        &mut self,
        child: Variant,
        key: &mut Option<Variant>,
        names: &mut impl Iterator<Item = &'a Text>,
    ) {
        match self {
            Variant::Array(a) => a.items.push(child),
            Variant::Dictionary(d) => match key.take() {
                None => *key = Some(child),
                Some(k) => d.set(k, child),
            },
            Variant::Object(Object::Full(f)) => {
                let name = names.next().cloned().unwrap_or_default();
                f.properties.push((name, child));
            }
            _ => unreachable!("only containers adopt"),
        }
    }

    /// Element count of arrays, dictionaries, packed arrays and full
    /// objects' properties; 0 otherwise.
    pub fn len(&self) -> usize {
        match self {
            Variant::Array(a) => a.items.len(),
            Variant::Dictionary(d) => d.len(),
            Variant::Object(Object::Full(f)) => f.properties.len(),
            Variant::PackedBytes(v) => v.len(),
            Variant::PackedInt32(v) => v.len(),
            Variant::PackedInt64(v) => v.len(),
            Variant::PackedFloat32(v) => v.len(),
            Variant::PackedFloat64(v) => v.len(),
            Variant::PackedStrings(v) => v.len(),
            Variant::PackedVector2(v) => v.len(),
            Variant::PackedVector3(v) => v.len(),
            Variant::PackedColor(v) => v.len(),
            Variant::PackedVector4(v) => v.len(),
            _ => 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Godot's `==` between two Variants: INT and FLOAT compare by value,
    /// NaN is unequal to everything, containers compare element by element
    /// (dictionaries by key, in any order), other types must match.
    pub fn godot_eq(&self, other: &Variant) -> bool {
        self.compare(other, false)
    }

    /// Equality of dictionary keys (Godot's hash comparison): same type and
    /// same value, NaN equal to NaN.
    pub fn same_key(&self, other: &Variant) -> bool {
        self.compare(other, true)
    }

    /// A hash consistent with [`Variant::same_key`]: equal keys hash
    /// alike (floats are normalised: one NaN, one zero).
    pub fn key_hash<H: Hasher>(&self, h: &mut H) {
        fn real<H: Hasher>(x: f64, h: &mut H) {
            let bits = if x.is_nan() {
                f64::NAN.to_bits()
            } else if x == 0.0 {
                0
            } else {
                x.to_bits()
            };
            h.write_u64(bits);
        }
        let mut todo = vec![self];
        while let Some(v) = todo.pop() {
            (v.get_type() as u32).hash(h);
            match v {
                Variant::Nil | Variant::Callable => {}
                Variant::Bool(b) => b.hash(h),
                Variant::Int(i) => i.hash(h),
                Variant::Float(f) => real(*f, h),
                Variant::String(s) | Variant::StringName(s) => s.hash(h),
                Variant::Math(_, c) => c.iter().for_each(|x| real(*x, h)),
                Variant::NodePath(p) => p.hash(h),
                Variant::Rid(id) | Variant::Object(Object::Id(id)) => id.hash(h),
                Variant::Object(Object::Full(f)) => {
                    f.class.hash(h);
                    f.properties.len().hash(h);
                }
                Variant::Signal { name, object } => {
                    name.hash(h);
                    object.hash(h);
                }
                Variant::Array(a) => {
                    a.items.len().hash(h);
                    todo.extend(a.items.iter().rev());
                }
                // Dictionaries compare in any order: hash only the size.
                Variant::Dictionary(d) => d.len().hash(h),
                Variant::PackedBytes(v) => v.hash(h),
                Variant::PackedInt32(v) => v.hash(h),
                Variant::PackedInt64(v) => v.hash(h),
                Variant::PackedStrings(v) => v.hash(h),
                Variant::PackedFloat64(v) => v.iter().for_each(|x| real(*x, h)),
                Variant::PackedFloat32(v) => v.iter().for_each(|x| real(f64::from(*x), h)),
                Variant::PackedVector2(v) => {
                    v.as_flattened().iter().for_each(|x| real(f64::from(*x), h))
                }
                Variant::PackedVector3(v) => {
                    v.as_flattened().iter().for_each(|x| real(f64::from(*x), h))
                }
                Variant::PackedColor(v) | Variant::PackedVector4(v) => {
                    v.as_flattened().iter().for_each(|x| real(f64::from(*x), h))
                }
            }
        }
    }

    /// Compares without recursion: pairs still to compare wait on a stack.
    /// (Looking up a dictionary key compares keys, which nests one call per
    /// level of dictionaries used as keys inside keys.)
    fn compare(&self, other: &Variant, as_key: bool) -> bool {
        if !(self.is_container() && other.is_container()) {
            // Nothing inside one of them: the shallow comparison is all.
            return self.shallow_eq(other, as_key);
        }
        let mut todo = vec![(self, other)];
        while let Some((a, b)) = todo.pop() {
            if !a.shallow_eq(b, as_key) {
                return false;
            }
            match (a, b) {
                (Variant::Dictionary(da), Variant::Dictionary(db)) => {
                    for (k, va) in da.entries() {
                        match db.get(k) {
                            Some(vb) => todo.push((va, vb)),
                            None => return false,
                        }
                    }
                }
                _ => todo.extend(a.children().zip(b.children())),
            }
        }
        true
    }

    /// Equality of everything but the contained Variants (containers: the
    /// kind, size and, for objects, class and property names).
    fn shallow_eq(&self, other: &Variant, as_key: bool) -> bool {
        let feq = |a: f64, b: f64| a == b || (as_key && a.is_nan() && b.is_nan());
        let f32eq = |a: f32, b: f32| feq(f64::from(a), f64::from(b));
        let all = |a: &[f32], b: &[f32]| {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| f32eq(*x, *y))
        };
        use Variant as V;
        match (self, other) {
            (V::Nil, V::Nil) | (V::Callable, V::Callable) => true,
            (V::Bool(a), V::Bool(b)) => a == b,
            (V::Int(a), V::Int(b)) => a == b,
            (V::Float(a), V::Float(b)) => feq(*a, *b),
            (V::Int(a), V::Float(b)) | (V::Float(b), V::Int(a)) => !as_key && (*a as f64) == *b,
            (V::String(a), V::String(b)) | (V::StringName(a), V::StringName(b)) => a == b,
            (V::Math(ta, a), V::Math(tb, b)) => {
                ta == tb && a.iter().zip(b.iter()).all(|(x, y)| feq(*x, *y))
            }
            (V::NodePath(a), V::NodePath(b)) => a == b,
            (V::Rid(a), V::Rid(b)) => a == b,
            (V::Object(Object::Id(x)), V::Object(Object::Id(y))) => x == y,
            (V::Object(Object::Full(a)), V::Object(Object::Full(b))) => {
                a.class == b.class
                    && a.properties.len() == b.properties.len()
                    && a.properties
                        .iter()
                        .zip(&b.properties)
                        .all(|((na, _), (nb, _))| na == nb)
            }
            (
                V::Signal {
                    name: na,
                    object: oa,
                },
                V::Signal {
                    name: nb,
                    object: ob,
                },
            ) => na == nb && oa == ob,
            (V::Array(a), V::Array(b)) => a.items.len() == b.items.len(),
            (V::Dictionary(a), V::Dictionary(b)) => a.len() == b.len(),
            (V::PackedBytes(a), V::PackedBytes(b)) => a == b,
            (V::PackedInt32(a), V::PackedInt32(b)) => a == b,
            (V::PackedInt64(a), V::PackedInt64(b)) => a == b,
            (V::PackedFloat32(a), V::PackedFloat32(b)) => all(a, b),
            (V::PackedFloat64(a), V::PackedFloat64(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| feq(*x, *y))
            }
            (V::PackedStrings(a), V::PackedStrings(b)) => a == b,
            (V::PackedVector2(a), V::PackedVector2(b)) => all(a.as_flattened(), b.as_flattened()),
            (V::PackedVector3(a), V::PackedVector3(b)) => all(a.as_flattened(), b.as_flattened()),
            (V::PackedColor(a), V::PackedColor(b)) | (V::PackedVector4(a), V::PackedVector4(b)) => {
                all(a.as_flattened(), b.as_flattened())
            }
            _ => false,
        }
    }
}

/// A deep copy without recursion: containers being copied wait on a stack
/// with the source elements still to copy.
impl Clone for Variant {
    fn clone(&self) -> Variant {
        struct Copying<'a> {
            copy: Variant,
            rest: Box<dyn Iterator<Item = &'a Variant> + 'a>,
            key: Option<Variant>,
            names: std::vec::IntoIter<&'a Text>,
        }
        fn open(src: &Variant) -> Copying<'_> {
            let names = match src {
                Variant::Object(Object::Full(f)) => f.properties.iter().map(|(n, _)| n).collect(),
                _ => Vec::new(),
            };
            Copying {
                copy: src.shallow_clone(),
                rest: src.children(),
                key: None,
                names: names.into_iter(),
            }
        }
        let mut stack = vec![open(self)];
        loop {
            let top = stack.last_mut().expect("the root is popped last");
            match top.rest.next() {
                Some(child) if child.children().next().is_some() => stack.push(open(child)),
                Some(child) => {
                    let leaf = child.shallow_clone();
                    top.copy.adopt(leaf, &mut top.key, &mut top.names);
                }
                None => {
                    let done = stack.pop().expect("top exists").copy;
                    match stack.last_mut() {
                        None => return done,
                        Some(parent) => parent.copy.adopt(done, &mut parent.key, &mut parent.names),
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn ids_line_up() {
        for (i, t) in ALL_TYPES.iter().enumerate() {
            assert_eq!(*t as usize, i);
        }
        assert_eq!(VariantType::from_id(38), Some(TYPE_PACKED_VECTOR4_ARRAY));
        assert_eq!(VariantType::from_id(39), None);
    }

    #[test]
    fn node_paths() {
        let p = NodePath::parse("/root/Main:position:x").unwrap();
        assert!(p.absolute);
        assert_eq!(p.names.len(), 2);
        assert_eq!(p.subnames.len(), 2);
        assert_eq!(p.text().as_str(), "/root/Main:position:x");
        let q = NodePath::parse("a/b").unwrap();
        assert_eq!(
            (q.absolute, q.subnames.len(), q.text().as_str()),
            (false, 0, "a/b")
        );
    }

    #[test]
    fn godot_equality() {
        assert!(Variant::Int(1).godot_eq(&Variant::Float(1.0)));
        assert!(!Variant::Int(1).same_key(&Variant::Float(1.0)));
        assert!(!Variant::Float(f64::NAN).godot_eq(&Variant::Float(f64::NAN)));
        assert!(Variant::Float(f64::NAN).same_key(&Variant::Float(f64::NAN)));
        let mut a = Dictionary::default();
        a.set(Variant::Int(1), Variant::Bool(true));
        a.set(Variant::Int(2), Variant::Bool(false));
        let mut b = Dictionary::default();
        b.set(Variant::Int(2), Variant::Bool(false));
        b.set(Variant::Int(1), Variant::Bool(true));
        assert!(Variant::dictionary(a.clone()).godot_eq(&Variant::dictionary(b)));
        a.set(Variant::Int(1), Variant::Nil);
        assert_eq!(a.len(), 2);
        assert!(a.entries()[0].1.godot_eq(&Variant::Nil));
        a.set(Variant::Float(f64::NAN), Variant::Int(5));
        a.set(Variant::Float(-0.0), Variant::Int(6));
        assert!(a
            .get(&Variant::Float(f64::NAN))
            .unwrap()
            .godot_eq(&Variant::Int(5)));
        assert!(a
            .get(&Variant::Float(0.0))
            .unwrap()
            .godot_eq(&Variant::Int(6)));
        assert!(a.get(&Variant::Int(0)).is_none());
    }

    #[test]
    fn math_checks() {
        assert!(Variant::math(TYPE_VECTOR2, &[1.0, 2.0]).is_some());
        assert!(Variant::math(TYPE_VECTOR2, &[1.0]).is_none());
        assert!(Variant::math(TYPE_VECTOR2I, &[1.5, 2.0]).is_none());
        assert!(Variant::math(TYPE_VECTOR2I, &[3e9, 2.0]).is_none());
        assert!(Variant::math(TYPE_INT, &[1.0]).is_none());
    }
}
