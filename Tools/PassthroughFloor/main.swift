// The smallest proxy on Switchyard's own stack (Hummingbird + AsyncHTTPClient), no routing and no ledger: the floor
// that scripts/load-benchmark compares Switchyard with.
//
//   PassthroughFloor --port 9002 --upstream http://127.0.0.1:9001
//   PassthroughFloor --port 9003 --answer-here yes
//   PassthroughFloor --port 9004 --upstream http://127.0.0.1:9001 --client lean
//
// Every request is sent to the upstream with the same method, path and body; the answer's status, content type and
// body come back as they arrive (so a stream stays a stream). With `--answer-here yes` it calls no upstream and
// answers a fixed completion itself: Hummingbird alone, to tell the server's share of the floor from the client's.
// With `--client lean` it calls the upstream through `LeanClient` (64 keep-alive connections, JSON only) instead of
// AsyncHTTPClient, to measure what a leaner client would save.
import AsyncHTTPClient
import Hummingbird
import NIOCore

var port = 9002
var upstream = "http://127.0.0.1:9001"
var answerHere = false
var leanClient = false
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let flag = arguments.next(), let value = arguments.next() {
    switch flag {
    case "--port": port = Int(value) ?? port
    case "--upstream": upstream = value
    case "--answer-here": answerHere = value == "yes"
    case "--client": leanClient = value == "lean"
    default: fatalError("unknown option \(flag)")
    }
}
let completion = #"{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"fake","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the fake upstream."},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19}}"#

var clientConfiguration = HTTPClient.Configuration()
clientConfiguration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
let base = upstream
let answersHere = answerHere
let upstreamURL = upstream.split(separator: "/").dropFirst().first.map(String.init) ?? "127.0.0.1:9001"
let lean = leanClient
    ? try await LeanClient(
        host: String(upstreamURL.split(separator: ":")[0]), port: Int(upstreamURL.split(separator: ":")[1]) ?? 9001,
        count: 64)
    : nil

let router = Router()
router.on("**", method: .post) { request, context -> Response in
    if answersHere {
        _ = try await request.body.collect(upTo: 1 << 20)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: completion)))
    }
    if let lean {
        let (head, body) = try await lean.post(path: request.uri.path, body: try await request.body.collect(upTo: 1 << 20))
        var headers = HTTPFields()
        headers[.contentType] = head.headers.first(name: "content-type") ?? "application/json"
        return Response(status: .init(code: Int(head.status.code)), headers: headers, body: ResponseBody(byteBuffer: body))
    }
    var outgoing = HTTPClientRequest(url: base + request.uri.path)
    outgoing.method = .POST
    outgoing.headers.add(name: "content-type", value: request.headers[.contentType] ?? "application/json")
    outgoing.body = .bytes(try await request.body.collect(upTo: 1 << 20))
    let answer = try await client.execute(outgoing, timeout: .seconds(60))
    var headers = HTTPFields()
    headers[.contentType] = answer.headers.first(name: "content-type") ?? "application/json"
    return Response(
        status: .init(code: Int(answer.status.code)), headers: headers,
        body: ResponseBody(asyncSequence: answer.body))
}

let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
try await client.shutdown()
