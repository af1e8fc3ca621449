package import struct Foundation.Date
import SwitchyardCore

/// Decides when an accepted key's `api_keys.last_used_at` is written, so that a busy key costs one write a minute
/// rather than one per request.
///
/// A synchronous state machine; ``APIKeyStore`` and the PostgreSQL key store keep it in a `Mutex`. A use is recorded when neither the stored
/// `last_used_at` nor this process's last write for the key is within ``interval`` of now. Concurrent requests with
/// one key therefore record one use between them; another process (a second server on the same file) writes its
/// own, which the stored value then holds off.
package struct APIKeyUseThrottle {
    /// The least time between two recorded uses of one key.
    let interval: Duration
    /// How many keys it remembers before forgetting those outside ``interval`` (a bound on memory, not on writes).
    let capacity: Int
    private var lastRecorded: [Int64: Date] = [:]

    package init(interval: Duration, capacity: Int = 10_000) {
        self.interval = interval
        self.capacity = max(1, capacity)
    }

    /// Whether to write `now` as key `keyID`'s last use; when it says yes, it counts the write as done.
    ///
    /// - Parameters:
    ///   - storedLastUse: the key's `last_used_at` as just read, if any.
    ///   - now: the wall-clock time of this use.
    package mutating func shouldRecord(keyID: Int64, storedLastUse: Date?, now: Date) -> Bool {
        if let storedLastUse, isRecent(storedLastUse, now) { return false }
        if let last = lastRecorded[keyID], isRecent(last, now) { return false }
        if lastRecorded.count >= capacity, lastRecorded[keyID] == nil { forgetOld(now) }
        lastRecorded[keyID] = now
        return true
    }

    /// Keys it currently remembers (for tests).
    var rememberedCount: Int { lastRecorded.count }

    /// Within ``interval`` either way: a wall clock set back by less than that does not cause a write per request.
    private func isRecent(_ time: Date, _ now: Date) -> Bool {
        abs(now.timeIntervalSince(time)) < interval.inSeconds
    }

    private mutating func forgetOld(_ now: Date) {
        lastRecorded = lastRecorded.filter { isRecent($0.value, now) }
        // Every remembered key used within the interval: forget them all (at worst one extra write each).
        if lastRecorded.count >= capacity { lastRecorded.removeAll(keepingCapacity: true) }
    }
}
