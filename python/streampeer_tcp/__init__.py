"""streampeer_tcp: Godot's StreamPeerTCP, TCPServer and StreamPeerBuffer
for Python, and Godot master's StreamPeerUDS and UDSServer (Unix domain
sockets), byte-for-byte compatible with Godot games.

    from streampeer_tcp import StreamPeerTCP, Status, Vector2

    peer = StreamPeerTCP()
    peer.connect_to_host("127.0.0.1", 4242)
    while peer.get_status() == Status.STATUS_CONNECTING:
        peer.poll()
    peer.put_var({"pos": Vector2(1, 2), "hp": 42, "tags": ["a", "b"]})

StreamPeerUDS works the same way with a path: `connect_to_host("/tmp/game.sock")`.
StreamPeerTLS (with TLSOptions) runs TLS over any of them.

Many peers and servers are waited on together with a `PollGroup` (epoll on
Linux), and `streampeer_tcp.aio` runs them on an asyncio event loop.

See `streampeer_tcp.types` for how Godot values map to Python.
"""

from ._native import LIBRARY_PATH, GodotError, last_error_message, lib
from .enums import Error, Event, Status, TLSStatus, VariantType
from .group import PollGroup
from .peer import StreamPeer, StreamPeerBuffer, StreamPeerSocket, StreamPeerTCP, StreamPeerUDS
from .server import SocketServer, TCPServer, UDSServer
from .tls import StreamPeerTLS, TLSOptions
from .types import (
    AABB,
    RID,
    Basis,
    Callable,
    Color,
    GodotObject,
    NodePath,
    ObjectID,
    PackedColorArray,
    PackedFloat32Array,
    PackedFloat64Array,
    PackedInt32Array,
    PackedInt64Array,
    PackedStringArray,
    PackedVector2Array,
    PackedVector3Array,
    PackedVector4Array,
    Plane,
    Projection,
    Quaternion,
    Rect2,
    Rect2i,
    Signal,
    StringName,
    Transform2D,
    Transform3D,
    TypedArray,
    TypedDictionary,
    Vector2,
    Vector2i,
    Vector3,
    Vector3i,
    Vector4,
    Vector4i,
)
from .variant import bytes_to_var, var_to_bytes

__version__ = lib.sptcp_version().decode()


def library_path() -> str:
    """Where the native library was loaded from."""
    return LIBRARY_PATH


__all__ = [
    "AABB", "RID", "Basis", "Callable", "Color", "Error", "Event", "GodotError", "GodotObject", "NodePath",
    "ObjectID", "PackedColorArray", "PackedFloat32Array", "PackedFloat64Array", "PackedInt32Array",
    "PackedInt64Array", "PackedStringArray", "PackedVector2Array", "PackedVector3Array", "PackedVector4Array",
    "Plane", "PollGroup", "Projection", "Quaternion", "Rect2", "Rect2i", "Signal", "SocketServer", "Status",
    "StreamPeer", "StreamPeerBuffer", "StreamPeerSocket", "StreamPeerTCP", "StreamPeerTLS", "StreamPeerUDS",
    "StringName", "TCPServer", "TLSOptions", "TLSStatus", "Transform2D", "Transform3D", "TypedArray",
    "TypedDictionary", "UDSServer", "VariantType",
    "Vector2", "Vector2i", "Vector3", "Vector3i", "Vector4", "Vector4i", "bytes_to_var", "last_error_message",
    "library_path", "var_to_bytes", "__version__",
]
