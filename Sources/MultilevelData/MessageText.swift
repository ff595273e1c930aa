/// User data quoted in a one-line error message, cut to `limit` characters (with `…` and the full
/// length) so that a 2 MB CSV field or column name cannot turn a message into megabytes.
public func abbreviatedForMessage(_ text: String, limit: Int = 40) -> String {
    guard text.count > limit else { return text }
    return String(text.prefix(limit)) + "… (\(text.count) characters)"
}
