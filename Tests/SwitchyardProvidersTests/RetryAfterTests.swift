import Foundation
import Testing

@testable import SwitchyardProviders

@Suite("Retry-After parsing")
struct RetryAfterTests {
    /// 2015-10-21 07:28:00 UTC.
    let now = Date(timeIntervalSince1970: 1_445_412_480)

    @Test func parsesDelaySeconds() {
        #expect(RetryAfter.parse("120", now: now) == .seconds(120))
        #expect(RetryAfter.parse(" 0 ", now: now) == .zero)
        #expect(RetryAfter.parse("1.5", now: now) == .milliseconds(1500))
    }

    @Test func parsesHTTPDatesRelativeToNow() {
        #expect(RetryAfter.parse("Wed, 21 Oct 2015 07:30:00 GMT", now: now) == .seconds(120))
        #expect(RetryAfter.parse("Wednesday, 21-Oct-15 07:29:00 GMT", now: now) == .seconds(60))
        #expect(RetryAfter.parse("Wed Oct 21 07:28:30 2015", now: now) == .seconds(30))
    }

    @Test func aDateInThePastMeansNow() {
        #expect(RetryAfter.parse("Tue, 20 Oct 2015 07:28:00 GMT", now: now) == .zero)
    }

    @Test func rejectsNonsense() {
        #expect(RetryAfter.parse("soon", now: now) == nil)
        #expect(RetryAfter.parse("-5", now: now) == nil)
        #expect(RetryAfter.parse("Wed, 32 Oct 2015 07:28:00 GMT", now: now) == nil)
    }

    @Test func parsesGoogleRetryDelay() {
        #expect(RetryAfter.parseProtobufDuration("37s") == .seconds(37))
        #expect(RetryAfter.parseProtobufDuration("0.25s") == .milliseconds(250))
        #expect(RetryAfter.parseProtobufDuration("37") == nil)
    }

    @Test func agreesWithFoundationOnEpochDays() {
        let date = RetryAfter.httpDate("Thu, 29 Feb 2024 23:59:59 GMT")
        #expect(date == Date(timeIntervalSince1970: 1_709_251_199))
    }
}

@Suite("Retry-After values are saturated, never trapped on")
struct RetryAfterSaturationTests {
    let now = Date(timeIntervalSince1970: 1_445_412_480)
    let day = Duration.seconds(86_400)

    @Test(arguments: ["1e300", "99999999999999999999", "86400", "86401", "inf", "1e19", "9223372036854775807"])
    func absurdDelaySecondsSaturateAtADay(value: String) {
        #expect(RetryAfter.parse(value, now: now) == day)
    }

    @Test(arguments: ["-1", "-1e300", "nan", "-inf", "", "1e", "0x"])
    func negativeAndNotANumberAreNotUnderstood(value: String) {
        #expect(RetryAfter.parse(value, now: now) == nil)
    }

    @Test(arguments: [
        "Fri, 31 Dec 9999 23:59:59 GMT", "Friday, 31-Dec-9999 23:59:59 GMT", "Fri Dec 31 23:59:59 9999",
    ])
    func farFutureDatesSaturateAtADay(value: String) {
        #expect(RetryAfter.parse(value, now: now) == day)
    }

    @Test(arguments: [
        "Fri, 31 Dec 9223372036854775807 23:59:59 GMT", "Fri, 31 Dec -9223372036854775807 23:59:59 GMT",
        "Fri, 31 Dec 99999999999999999999 23:59:59 GMT", "Fri Dec 31 23:59:59 9223372036854775807",
        "Friday, 31-Dec--9223372036854775807 23:59:59 GMT", "Fri, 31 Dec 0 00:00:00 GMT",
    ])
    func absurdYearsAreNotUnderstood(value: String) {
        #expect(RetryAfter.parse(value, now: now) == nil)
    }

    @Test func millisecondsAndGoogleDelaysSaturateToo() {
        #expect(RetryAfter.parseMilliseconds("1e300") == day)
        #expect(RetryAfter.parseMilliseconds("99999999999999999999") == day)
        #expect(RetryAfter.parseMilliseconds("1500") == .milliseconds(1500))
        #expect(RetryAfter.parseMilliseconds("-5") == nil)
        #expect(RetryAfter.parseMilliseconds("nan") == nil)
        #expect(RetryAfter.parseProtobufDuration("1e30s") == day)
        #expect(RetryAfter.parseProtobufDuration("99999999999999999999s") == day)
        #expect(RetryAfter.parseProtobufDuration("-1s") == nil)
        #expect(RetryAfter.parseProtobufDuration("nans") == nil)
    }
}
