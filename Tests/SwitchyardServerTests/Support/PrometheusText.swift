import Foundation

/// A scrape of `/metrics`, parsed from Prometheus' text exposition format (version 0.0.4): every family with its
/// `# TYPE` and `# HELP`, and every sample with its labels and value.
///
/// Strict: a line that is not a comment, a blank line or a well-formed sample throws, as does a sample of a family
/// without a `# TYPE` line, so a test that parses a scrape also checks that it is valid.
///
/// ```swift
/// let scrape = try PrometheusText(parsing: try await server.get("/metrics").body)
/// scrape.value("switchyard_breaker_state", ["provider": "primary"])   // 2.0
/// scrape.families["switchyard_requests_total"]?.type                  // "counter"
/// ```
struct PrometheusText {
    struct Sample: Hashable {
        /// The sample's own name: a histogram's are `<family>_bucket`, `<family>_sum` and `<family>_count`.
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Family {
        var name: String
        /// `counter`, `gauge`, `histogram`, `summary` or `untyped`.
        var type: String
        var help: String?
        var samples: [Sample] = []

        /// The label names of its samples, without a histogram's `le`.
        var labelNames: Set<String> {
            Set(samples.flatMap(\.labels.keys)).subtracting(["le"])
        }
    }

    struct ParseError: Error, CustomStringConvertible {
        var line: Int
        var text: String
        var problem: String
        var description: String { "line \(line): \(problem): \(text)" }
    }

    private(set) var families: [String: Family] = [:]

    init(parsing text: String) throws {
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(rawLine)
            func fail(_ problem: String) -> ParseError { ParseError(line: index + 1, text: line, problem: problem) }
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: true).map(String.init)
                guard parts.count >= 3, parts[0] == "#", ["TYPE", "HELP"].contains(parts[1]) else { continue }
                let name = parts[2]
                guard Self.isMetricName(name) else { throw fail("bad metric name") }
                if parts[1] == "TYPE" {
                    guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3])
                    else { throw fail("bad type") }
                    guard families[name]?.samples.isEmpty ?? true else { throw fail("TYPE after samples") }
                    families[name, default: Family(name: name, type: parts[3])].type = parts[3]
                } else {
                    families[name, default: Family(name: name, type: "untyped")].help = parts.count == 4 ? parts[3] : ""
                }
                continue
            }
            let sample = try Self.sample(line, fail: fail)
            guard let family = family(of: sample.name) else { throw fail("sample of a family without # TYPE") }
            families[family]!.samples.append(sample)
        }
    }

    /// The family a sample belongs to: its own name, or a histogram's or summary's name for its parts.
    private func family(of sample: String) -> String? {
        if families[sample] != nil { return sample }
        for suffix in ["_bucket", "_sum", "_count"] where sample.hasSuffix(suffix) {
            let base = String(sample.dropLast(suffix.count))
            if let family = families[base], family.type == "histogram" || family.type == "summary" { return base }
        }
        return nil
    }

    /// The value of the sample named `name` with exactly `labels`.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        guard let family = family(of: name) else { return nil }
        return families[family]?.samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// The cumulative count of histogram `family`'s bucket `le` = `upperBound` among the series with `labels`
    /// (compared as numbers, so `0.005` and `0.0050` are the same bucket).
    func bucket(_ family: String, _ labels: [String: String] = [:], upperBound: Double) -> Double? {
        samples(family + "_bucket").first { sample in
            var others = sample.labels
            guard let le = others.removeValue(forKey: "le"), others == labels else { return false }
            return Self.number(Substring(le)) == upperBound
        }?.value
    }

    /// Every sample named `name`.
    func samples(_ name: String) -> [Sample] {
        family(of: name).flatMap { families[$0] }?.samples.filter { $0.name == name } ?? []
    }

    // MARK: Lexing

    private static func sample(_ line: String, fail: (String) -> ParseError) throws -> Sample {
        var rest = Substring(line)
        let name = String(rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" })
        guard isMetricName(name) else { throw fail("bad metric name") }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let label = String(rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
                guard isLabelName(label) else { throw fail("bad label name") }
                rest = rest.dropFirst(label.count)
                guard rest.hasPrefix("=\"") else { throw fail("expected =\" after label \(label)") }
                rest = rest.dropFirst(2)
                var value = ""
                while true {
                    guard let character = rest.popFirst() else { throw fail("unterminated label value") }
                    if character == "\"" { break }
                    if character == "\\" {
                        switch rest.popFirst() {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw fail("bad escape in label value")
                        }
                    } else {
                        value.append(character)
                    }
                }
                guard labels.updateValue(value, forKey: label) == nil else { throw fail("label \(label) twice") }
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" {
                    throw fail("expected , or } after a label")
                }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw fail("expected a space before the value") }
        let fields = rest.split(separator: " ")
        guard fields.count == 1 || (fields.count == 2 && Int64(fields[1]) != nil) else { throw fail("bad value") }
        guard let value = number(fields[0]) else { throw fail("bad value") }
        return Sample(name: name, labels: labels, value: value)
    }

    private static func number(_ text: Substring) -> Double? {
        switch text {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(text)
        }
    }

    static func isMetricName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" || first == ":" else {
            return false
        }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }

    static func isLabelName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
}

extension TestServer {
    /// `GET /metrics`, checked to be a 200 in Prometheus' text format, parsed.
    func scrape() async throws -> PrometheusText {
        let response = try await get("/metrics")
        guard response.status == 200, response[header: "content-type"]?.hasPrefix("text/plain") == true else {
            throw ScrapeFailed(status: response.status, body: response.body)
        }
        return try PrometheusText(parsing: response.body)
    }
}

struct ScrapeFailed: Error, CustomStringConvertible {
    var status: Int
    var body: String
    var description: String { "GET /metrics answered \(status): \(body)" }
}
