import Foundation

/// Writes all of `bytes` to file descriptor `fd` with `write(2)`, retrying after EINTR and short
/// writes; returns the errno of a failed write (EPIPE, ENOSPC, EIO, …), nil on success. Used
/// instead of Foundation's `FileHandle.write`, which traps on a write error.
public func writeAllBytes(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
    guard let base = bytes.baseAddress else { return nil }
    var offset = 0
    while offset < bytes.count {
        let written = write(fd, base + offset, bytes.count - offset)
        if written < 0 {
            if errno == EINTR { continue }
            return errno
        }
        offset += written
    }
    return nil
}
