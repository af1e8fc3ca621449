import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardProviders
import SwitchyardTesting
import Synchronization
import Testing

/// Streams read upstream only as fast as their consumer pulls, and bound what one stream may hold.
@Suite("Stream backpressure and bounds", .timeLimit(.minutes(1)))
struct BackpressureTests {
    /// Counts what a fake upstream has written so far.
    final class WriteCounter: Sendable {
        private let bytes = Atomic<Int>(0)

        func wrote(_ count: Int) { bytes.add(count, ordering: .relaxed) }
        var written: Int { bytes.load(ordering: .relaxed) }

        /// Waits until the count stops moving (the upstream's write is blocked, or it is done): unchanged over
        /// `steadyPolls` polls 50 ms apart, within `deadline`. Returns the count then.
        func waitUntilSteady(steadyPolls: Int = 10, deadline: Duration = .seconds(30)) async throws -> Int {
            let end = ContinuousClock.now + deadline
            var last = -1
            var steady = 0
            while ContinuousClock.now < end {
                let now = written
                steady = now == last ? steady + 1 : 0
                if steady >= steadyPolls { return now }
                last = now
                try await Task.sleep(for: .milliseconds(50))
            }
            return written
        }
    }

    static let piece = String(repeating: "x", count: 8 * 1024)
    static let event = "data: " + #"{"choices":[{"index":0,"delta":{"content":"\#(piece)"}}]}"# + "\n\n"

    /// An OpenAI stream of `count` 8 KiB content events.
    static func manyEvents(_ count: Int) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "text/event-stream"
        return Response(
            status: .ok, headers: fields,
            body: ResponseBody { writer in
                let buffer = ByteBuffer(string: event)
                for _ in 0..<count {
                    try await writer.write(buffer)
                }
                for end in Wire.streamEnd(.openAI) { try await writer.write(ByteBuffer(string: end)) }
                try await writer.finish(nil)
            })
    }

    @Test func aConsumerThatDoesNotPullStopsTheUpstream() async throws {
        let counter = WriteCounter()
        let count = 4096  // 32 MiB in all
        let body = [String](repeating: Self.event, count: count) + Wire.streamEnd(.openAI)
        try await withTestClient { client in
            // A raw socket, so the count is what the kernel took, not what a server framework queued.
            try await withRawListener { upstream in
                async let served: Void = upstream.acceptAndStream(body) { counter.wrote($0) }
                let provider = makeProvider(.openAI, baseURL: upstream.baseURL + "/v1", client: client)
                var chunks = try await provider.streamChat(helloRequest, options: .init()).makeAsyncIterator()
                #expect(try await chunks.next()?.contentDelta == Self.piece)
                // The consumer pauses: the upstream must block once the socket buffers are full, far short of 32 MiB.
                let stalledAt = try await counter.waitUntilSteady()
                #expect(stalledAt < 4 << 20, "read \(stalledAt) bytes ahead of a consumer that took one chunk")
                // Then every chunk still arrives, in order.
                var received = 1
                while let chunk = try await chunks.next() {
                    if chunk.finishReason == nil { received += 1 }
                }
                try await served
                #expect(received == count)
                #expect(counter.written == body.reduce(0) { $0 + $1.utf8.count })
            }
        }
    }

    @Test func theConsumersPausesAreNotUpstreamSilence() async throws {
        let timeouts = ProviderTimeouts(
            connect: .seconds(5), firstByte: .seconds(20), idle: .milliseconds(100), total: .seconds(30))
        try await withTestClient { client in
            let pieces = Wire.partialStream(.openAI) + Wire.streamEnd(.openAI)
            try await withFakeUpstream({ _ in Reply.events(pieces) }) { upstream in
                let provider = makeProvider(.openAI, baseURL: upstream.baseURL, client: client, timeouts: timeouts)
                var chunks = try await provider.streamChat(helloRequest, options: .init()).makeAsyncIterator()
                var received = try await chunks.next()?.contentDelta ?? ""
                // A slow client: it takes four idle time-outs before asking for the next chunk.
                try await Task.sleep(for: .milliseconds(400))
                while let chunk = try await chunks.next() { received += chunk.contentDelta ?? "" }
                #expect(received == "Hello")
            }
        }
    }

    @Test(arguments: [
        // One line of 2 MiB that never ends.
        ["data: " + String(repeating: "x", count: 2 << 20)],
        // One event of many short data lines that never ends.
        [String](
            repeating: String(repeating: "data: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", count: 1024),
            count: 40),
    ])
    func anEventLargerThanAMebibyteIsMalformed(pieces: [String]) async throws {
        try await withTestClient { client in
            try await withFakeUpstream({ _ in Reply.events(pieces) }) { upstream in
                let provider = makeProvider(.openAI, baseURL: upstream.baseURL, client: client)
                let (_, error) = await drain(try await provider.streamChat(helloRequest, options: .init()))
                let failure = try #require(error as? ProviderError)
                #expect(failure.code == .malformedResponse)
                #expect(failure.message.contains("larger than"))
            }
        }
    }

    @Test func aStreamLargerThanItsBoundIsMalformed() async throws {
        try await withTestClient { client in
            try await withFakeUpstream({ _ in Self.manyEvents(128) }) { upstream in
                let provider = OpenAICompatibleProvider(
                    name: "bounded", configuration: .init(baseURL: upstream.baseURL + "/v1", maxStreamBytes: 256 << 10),
                    httpClient: client)
                let (chunks, error) = await drain(try await provider.streamChat(helloRequest, options: .init()))
                let failure = try #require(error as? ProviderError)
                #expect(failure.code == .malformedResponse)
                #expect(failure.message.contains("larger than \(256 << 10) bytes"))
                #expect(chunks.count < 40)
            }
        }
    }
}
