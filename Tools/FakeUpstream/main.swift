// A fast fake OpenAI-compatible upstream for load benchmarks (scripts/load-benchmark).
//
//   FakeUpstream --port 9001 [--stream-chunks 5] [--delay-ms 0] [--fail-percent 0]
//
// `POST …/chat/completions` answers a fixed completion with `usage`; with `"stream": true` in the body, `chunks` SSE
// events, a usage chunk and `[DONE]`. `GET …/models` lists one model. `--delay-ms` holds every answer that long (on
// the event loop's timer, not a thread); `--fail-percent` answers that share of requests with 503, spread evenly.
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

struct Options {
    var port = 9001
    var streamChunks = 5
    var delay = TimeAmount.zero
    var failPercent = 0

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            guard let value = iterator.next().flatMap(Int.init), value >= 0 else { fatalError("usage: see main.swift") }
            switch flag {
            case "--port": port = value
            case "--stream-chunks": streamChunks = value
            case "--delay-ms": delay = .milliseconds(Int64(value))
            case "--fail-percent": failPercent = min(value, 100)
            default: fatalError("unknown option \(flag)")
            }
        }
    }
}

let options = Options(CommandLine.arguments)
let completion = #"{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"fake","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the fake upstream."},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19}}"#
let models = #"{"object":"list","data":[{"id":"fake","object":"model","created":1,"owned_by":"fake"}]}"#
let failure = #"{"error":{"message":"overloaded","type":"server_error"}}"#
let streamBody: String = {
    var text = ""
    for index in 0..<options.streamChunks {
        let role = index == 0 ? #""role":"assistant","# : ""
        text += #"data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"fake","choices":[{"index":0,"delta":{\#(role)"content":"word\#(index) "},"finish_reason":null}]}"# + "\n\n"
    }
    text += #"data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"fake","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"# + "\n\n"
    text += #"data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"fake","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":\#(options.streamChunks),"total_tokens":\#(12 + options.streamChunks)}}"# + "\n\n"
    return text + "data: [DONE]\n\n"
}()
let requestCount = Atomic<Int>(0)

final class Handler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private var head: HTTPRequestHead?
    private var body = ByteBuffer()

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var chunk):
            body.writeBuffer(&chunk)
        case .end:
            guard let head else { return }
            let (status, type, text) = answer(head)
            let keepAlive = head.isKeepAlive
            let respond = { [self] in self.write(context: context, status: status, type: type, text: text, keepAlive: keepAlive) }
            if options.delay == .zero {
                respond()
            } else {
                let later = NIOLoopBound(respond, eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: options.delay) { later.value() }
            }
        }
    }

    private func answer(_ head: HTTPRequestHead) -> (HTTPResponseStatus, String, String) {
        if head.uri.hasSuffix("/models") { return (.ok, "application/json", models) }
        let number = requestCount.wrappingAdd(1, ordering: .relaxed).newValue
        if options.failPercent > 0, number % 100 < options.failPercent {
            return (.serviceUnavailable, "application/json", failure)
        }
        let streamed = body.readableBytesView.firstRange(of: Array(#""stream":true"#.utf8)) != nil
            || body.readableBytesView.firstRange(of: Array(#""stream": true"#.utf8)) != nil
        return streamed ? (.ok, "text/event-stream", streamBody) : (.ok, "application/json", completion)
    }

    private func write(
        context: ChannelHandlerContext, status: HTTPResponseStatus, type: String, text: String, keepAlive: Bool
    ) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: type)
        headers.add(name: "content-length", value: String(text.utf8.count))
        if !keepAlive { headers.add(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: text)))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}

let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
let channel = try ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 4096)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
            try channel.pipeline.syncOperations.addHandler(Handler())
        }
    }
    .bind(host: "127.0.0.1", port: options.port)
    .wait()
print("fake upstream listening on \(channel.localAddress!)")
try channel.closeFuture.wait()
