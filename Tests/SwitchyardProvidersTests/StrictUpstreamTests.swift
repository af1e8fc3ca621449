import Foundation
import SwitchyardCore
import Testing

/// The strict fake upstreams refuse what the real APIs refuse, and take what they take; otherwise the cross-kind
/// conversation test proves nothing.
@Suite("Strict fake upstreams")
struct StrictUpstreamTests {
    private func json(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    static let anthropicToolTurns =
        #"{"role":"assistant","content":[{"type":"tool_use","id":"a1","name":"f","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"a1","content":"x"},{"type":"text","text":"go on"}]}"#

    @Test func anthropicTakesAWellFormedToolConversation() {
        let body =
            #"{"max_tokens":5,"temperature":1,"top_p":0.5,"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]},\#(StrictUpstreamTests.anthropicToolTurns)]}"#
        #expect(StrictAnthropicUpstream.violation(in: json(body)) == nil)
    }

    @Test(arguments: [
        // temperature above 1
        #"{"max_tokens":5,"temperature":1.5,"messages":[]}"#,
        // top_p above 1
        #"{"max_tokens":5,"top_p":1.2,"messages":[]}"#,
        // no max_tokens
        #"{"messages":[]}"#,
        // the same tool_use id twice
        #"{"max_tokens":5,"messages":[\#(StrictUpstreamTests.anthropicToolTurns),\#(StrictUpstreamTests.anthropicToolTurns)]}"#,
        // a tool_result answering no tool_use of the message before
        #"{"max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"a1","content":"x"}]}]}"#,
        // a tool_use left unanswered
        #"{"max_tokens":5,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"a1","name":"f","input":{}}]},{"role":"user","content":[{"type":"text","text":"hm"}]}]}"#,
        // a tool_result after text
        #"{"max_tokens":5,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"a1","name":"f","input":{}}]},{"role":"user","content":[{"type":"text","text":"hm"},{"type":"tool_result","tool_use_id":"a1","content":"x"}]}]}"#,
        // an id Anthropic's pattern refuses
        #"{"max_tokens":5,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"a.1","name":"f","input":{}}]}]}"#,
    ])
    func anthropicRefuses(body: String) {
        #expect(StrictAnthropicUpstream.violation(in: json(body)) != nil)
    }

    @Test func geminiTakesAWellFormedFunctionConversation() {
        let body =
            #"{"generationConfig":{"temperature":2,"topP":1},"contents":[{"role":"user","parts":[{"text":"hi"}]},{"role":"model","parts":[{"functionCall":{"id":"g1","name":"f","args":{}}},{"functionCall":{"name":"h","args":{}}}]},{"role":"user","parts":[{"functionResponse":{"id":"g1","name":"f","response":{}}},{"functionResponse":{"name":"h","response":{}}}]}]}"#
        #expect(StrictGeminiUpstream.violation(in: json(body)) == nil)
    }

    @Test(arguments: [
        // temperature above 2
        #"{"generationConfig":{"temperature":2.5},"contents":[]}"#,
        // topP above 1
        #"{"generationConfig":{"topP":1.5},"contents":[]}"#,
        // a response named after no call
        #"{"contents":[{"role":"model","parts":[{"functionCall":{"name":"f","args":{}}}]},{"role":"user","parts":[{"functionResponse":{"name":"g","response":{}}}]}]}"#,
        // Gemini's id left off the response
        #"{"contents":[{"role":"model","parts":[{"functionCall":{"id":"g1","name":"f","args":{}}}]},{"role":"user","parts":[{"functionResponse":{"name":"f","response":{}}}]}]}"#,
        // a response id of no call
        #"{"contents":[{"role":"model","parts":[{"functionCall":{"name":"f","args":{}}}]},{"role":"user","parts":[{"functionResponse":{"id":"zz","name":"f","response":{}}}]}]}"#,
        // fewer responses than calls
        #"{"contents":[{"role":"model","parts":[{"functionCall":{"name":"f","args":{}}},{"functionCall":{"name":"f","args":{}}}]},{"role":"user","parts":[{"functionResponse":{"name":"f","response":{}}}]}]}"#,
        // a response with no call turn before it
        #"{"contents":[{"role":"user","parts":[{"functionResponse":{"name":"f","response":{}}}]}]}"#,
    ])
    func geminiRefuses(body: String) {
        #expect(StrictGeminiUpstream.violation(in: json(body)) != nil)
    }

    @Test func geminiRefusesACallItGaveAnIDThatComesBackWithoutIt() {
        let given = [ScriptedCall(id: "g1", name: "f", arguments: ["a": .number(1)])]
        let stripped =
            #"{"contents":[{"role":"model","parts":[{"functionCall":{"name":"f","args":{"a":1}}}]},{"role":"user","parts":[{"functionResponse":{"name":"f","response":{}}}]}]}"#
        let kept =
            #"{"contents":[{"role":"model","parts":[{"functionCall":{"id":"g1","name":"f","args":{"a":1}}}]},{"role":"user","parts":[{"functionResponse":{"id":"g1","name":"f","response":{}}}]}]}"#
        #expect(StrictGeminiUpstream.violation(in: json(stripped), issued: given) != nil)
        #expect(StrictGeminiUpstream.violation(in: json(kept), issued: given) == nil)
    }

    @Test func openAITakesAWellFormedToolConversation() {
        let body =
            #"{"temperature":2,"top_p":1,"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}},{"id":"c2","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c2","content":"x"},{"role":"tool","tool_call_id":"c1","content":"x"},{"role":"user","content":"go on"}]}"#
        #expect(StrictOpenAIUpstream.violation(in: json(body)) == nil)
    }

    @Test(arguments: [
        // temperature above 2
        #"{"temperature":2.1,"messages":[]}"#,
        // a tool message answering no call
        #"{"messages":[{"role":"user","content":"hi"},{"role":"tool","tool_call_id":"c1","content":"x"}]}"#,
        // a call left unanswered
        #"{"messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"user","content":"hm"}]}"#,
        // an id longer than 40 characters
        #"{"messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"\#(String(repeating: "x", count: 41))","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"\#(String(repeating: "x", count: 41))","content":"x"}]}"#,
    ])
    func openAIRefuses(body: String) {
        #expect(StrictOpenAIUpstream.violation(in: json(body)) != nil)
    }
}
