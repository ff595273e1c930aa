import Foundation

/// Reads an input file (CSV data, a model file, chains for `diagnose`) whole, with the true cause
/// of any failure: only regular files are read — a directory, a character device (`/dev/zero`,
/// which never ends), a FIFO (which blocks until a writer comes) or a socket is refused by its
/// kind before any read — and a file larger than `maximumBytes` is refused by its size. Read
/// errors name the system's cause (`Permission denied`, `Input/output error`), never a
/// Foundation message of another cause.
public enum InputFile {
    /// Why a file could not be read: one phrase, e.g. `is a FIFO (named pipe), not a file`.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Input files up to 64 GiB are read (the memory budget refuses what does not fit).
    public static let defaultMaximumBytes = 1 << 36

    /// Throws unless `path` names a regular file that can be opened for reading.
    public static func requireRegularFile(path: String) throws {
        let (fd, _) = try openRegularFile(path: path, maximumBytes: .max)
        close(fd)
    }

    /// The bytes of the regular file at `path`.
    public static func read(path: String, maximumBytes: Int = defaultMaximumBytes) throws -> Data {
        let (fd, size) = try openRegularFile(path: path, maximumBytes: maximumBytes)
        defer { close(fd) }
        var data = Data(count: size)
        var offset = 0
        let failure: Int32? = data.withUnsafeMutableBytes { buffer -> Int32? in
            while offset < size {
                let n = Foundation.read(fd, buffer.baseAddress! + offset, size - offset)
                if n < 0 { if errno == EINTR || errno == EAGAIN { continue }; return errno }
                if n == 0 { break }
                offset += n
            }
            return nil
        }
        if let failure { throw Failure(description: "cannot be read: \(String(cString: strerror(failure)))") }
        if offset < size { data.count = offset }    // the file shrank while being read
        return data
    }

    /// An open descriptor of the regular file at `path` and its size.
    private static func openRegularFile(path: String, maximumBytes: Int) throws -> (Int32, Int) {
        // O_NONBLOCK: opening a FIFO without a writer must not block; it is refused below.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            let code = errno
            throw Failure(description: code == ENOENT ? "no such file" : "cannot be read: \(String(cString: strerror(code)))")
        }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            let code = errno
            close(fd)
            throw Failure(description: "cannot be read: \(String(cString: strerror(code)))")
        }
        let kind = status.st_mode & S_IFMT
        if kind != S_IFREG { close(fd) }
        switch kind {
        case S_IFREG: break
        case S_IFDIR: throw Failure(description: "is a directory, not a file")
        case S_IFCHR: throw Failure(description: "is a character device, not a file")
        case S_IFBLK: throw Failure(description: "is a block device, not a file")
        case S_IFIFO: throw Failure(description: "is a FIFO (named pipe), not a file; save the data to a file first")
        case S_IFSOCK: throw Failure(description: "is a socket, not a file")
        default: throw Failure(description: "is not a regular file")
        }
        let size = Int(status.st_size)
        guard size <= maximumBytes else {
            close(fd)
            throw Failure(description: "is \(size) bytes, more than the \(maximumBytes) bytes an input file may have")
        }
        return (fd, size)
    }
}
