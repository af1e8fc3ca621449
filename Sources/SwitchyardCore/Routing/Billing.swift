/// What one attempt is billed: the one place that turns a call's end into tokens and micro-dollars.
///
/// The rules (docs/ledger.md, "What an attempt costs"):
/// - **Reported usage** is billed as reported, but never above the attempt's upper bound (the prompt's upper
///   bound plus the `max_tokens` sent): that is what was reserved, so settled spend never passes a budget. A report
///   above it is billed at the bound and the attempt says so.
/// - **A call that ended after part of its answer arrived** (a client that hung up, a cut stream, the deadline)
///   without usage: the prompt's upper bound plus an estimate of the text received, marked estimated.
/// - **A call whose outcome upstream is unknown** (``ProviderError/mayHaveBilled``: a time-out or cancellation
///   after the request was sent, an unreadable 2xx): its upper bound, marked estimated. The provider may have
///   produced up to `max_tokens` before it noticed; this never under-counts.
/// - Anything else (an error status, a connection that never opened): nothing.
enum Billing {
    struct Bill {
        var usage: TokenUsage?
        var cost: MicroDollars
        /// Why the bill is not simply the reported usage, for the attempt's record.
        var note: String?
    }

    /// The bill of an answered call.
    static func bill(reported usage: TokenUsage, candidate: Candidate) -> Bill {
        let cost = candidate.model.pricing.cost(of: usage)
        guard cost <= candidate.upperBoundCost else {
            return Bill(
                usage: usage, cost: candidate.upperBoundCost,
                note: "the provider reported more usage than the request's upper bound; billed at the bound")
        }
        return Bill(usage: usage, cost: cost, note: nil)
    }

    /// The bill of a call that failed, was abandoned or ran out of time.
    static func bill(
        failure: ProviderError, partial: StreamedResponseBuilder, chat: ChatRequest, candidate: Candidate
    ) -> Bill {
        if let reported = partial.reportedUsage {
            var usage = reported
            usage.completionTokens = max(usage.completionTokens, partial.estimatedCompletionTokens)
            return bill(reported: usage, candidate: candidate)
        }
        if partial.hasContent {
            let usage = TokenUsage(
                promptTokens: candidate.upperBoundPromptTokens,
                completionTokens: min(partial.estimatedCompletionTokens, candidate.maxTokens), isEstimated: true)
            return bill(reported: usage, candidate: candidate)
        }
        guard failure.mayHaveBilled else { return Bill(usage: nil, cost: .zero, note: nil) }
        return Bill(
            usage: TokenUsage(
                promptTokens: candidate.upperBoundPromptTokens, completionTokens: candidate.maxTokens,
                isEstimated: true),
            cost: candidate.upperBoundCost,
            note: "outcome upstream unknown; billed at the attempt's upper bound")
    }

    /// The most text (UTF-8 bytes) a stream may carry for `maxTokens` completion tokens before it is cut: far more
    /// than any tokenizer produces per token, so only a provider that ignores `max_tokens` reaches it.
    static func textLimit(maxTokens: Int) -> Int {
        let (bytes, overflow) = max(maxTokens, 1).multipliedReportingOverflow(by: 64)
        return overflow ? .max : bytes + 4_096
    }
}
