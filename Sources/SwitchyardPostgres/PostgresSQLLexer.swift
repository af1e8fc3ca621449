import Foundation
import SwitchyardStore

/// One token of a PostgreSQL statement; comments and blanks are not tokens.
struct PostgresSQLToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// A keyword or unquoted identifier; ``PostgresSQLToken/text`` is lowercased.
        case word
        /// A `"quoted identifier"`; ``PostgresSQLToken/text`` is its name, lowercased.
        case quotedIdentifier
        /// A string constant in any quoting (`'...'`, `E'...'`, `$tag$...$tag$`); its text is left out.
        case string
        /// A numeric constant or a `$1` parameter.
        case number
        /// One character of punctuation or of an operator.
        case symbol
    }

    var kind: Kind
    var text: String
    /// Where the token is in the statement's text.
    var range: Range<String.Index>

    /// Whether the token names something (a word or a quoted identifier) spelled `name`, in any case.
    func names(_ name: String) -> Bool { (kind == .word || kind == .quotedIdentifier) && text == name }
}

/// Splits a PostgreSQL statement into tokens the way the server's lexer does (scan.l), so that a check of the
/// words cannot be fooled by a string constant or a comment: `--` and nested `/* */` comments, `'...'` with `''`,
/// `E'...'` with backslash escapes, `$tag$...$tag$`, `"..."` with `""`.
///
/// It assumes `standard_conforming_strings = on` (the default, and what ``PostgresLedger/query(_:rowLimit:timeout:)``
/// sets for the statement). Identifiers that spell their characters as escapes (`U&"\0070g_sleep"`) are refused:
/// a check could not read them.
enum PostgresSQLLexer {
    static func tokens(_ sql: String) throws(SQLQueryError) -> [PostgresSQLToken] {
        let scalars = sql.unicodeScalars
        var tokens: [PostgresSQLToken] = []
        var index = scalars.startIndex

        func scalar(at position: String.Index) -> Unicode.Scalar? {
            position < scalars.endIndex ? scalars[position] : nil
        }
        func next(_ position: String.Index) -> String.Index { scalars.index(after: position) }

        while index < scalars.endIndex {
            let character = scalars[index]
            let following = scalar(at: next(index))
            let start = index
            if isSpace(character) {
                index = next(index)
            } else if character == "-", following == "-" {
                while index < scalars.endIndex, scalars[index] != "\n", scalars[index] != "\r" { index = next(index) }
            } else if character == "/", following == "*" {
                index = try skipBlockComment(scalars, from: index)
            } else if character == "'" {
                // `E'...'` (just after a lone e) takes backslash escapes; any other string only doubled quotes.
                var escapes = false
                if let last = tokens.last, last.kind == .word, last.text == "e", last.range.upperBound == index {
                    escapes = true
                    tokens.removeLast()
                }
                index = try skipQuoted(scalars, from: index, quote: "'", backslashEscapes: escapes)
                tokens.append(PostgresSQLToken(kind: .string, text: "", range: start..<index))
            } else if character == "\"" {
                if let last = tokens.last, last.kind == .symbol, last.text == "&", last.range.upperBound == index,
                    tokens.count >= 2, tokens[tokens.count - 2].kind == .word, tokens[tokens.count - 2].text == "u",
                    tokens[tokens.count - 2].range.upperBound == last.range.lowerBound
                {
                    throw SQLQueryError(
                        .notAllowed,
                        #"identifiers written with Unicode escapes (U&"...") are not allowed; write the name plainly"#)
                }
                index = try skipQuoted(scalars, from: index, quote: "\"", backslashEscapes: false)
                let inner = String(scalars[scalars.index(after: start)..<scalars.index(before: index)])
                let name = inner.replacingOccurrences(of: "\"\"", with: "\"").lowercased()
                tokens.append(PostgresSQLToken(kind: .quotedIdentifier, text: name, range: start..<index))
            } else if character == "$", let following, isDigit(following) {
                index = next(index)
                while let digit = scalar(at: index), isDigit(digit) { index = next(index) }
                tokens.append(PostgresSQLToken(kind: .number, text: String(scalars[start..<index]), range: start..<index))
            } else if character == "$", let tagEnd = dollarTagEnd(scalars, from: index) {
                let tag = Array(scalars[start..<tagEnd])
                guard let end = endOfDollarQuote(scalars, from: tagEnd, tag: tag) else {
                    throw SQLQueryError(
                        .invalid, "unterminated dollar-quoted string starting with \(String(scalars[start..<tagEnd]))")
                }
                index = end
                tokens.append(PostgresSQLToken(kind: .string, text: "", range: start..<index))
            } else if isDigit(character) || (character == "." && following.map(isDigit) == true) {
                index = skipNumber(scalars, from: index)
                tokens.append(PostgresSQLToken(kind: .number, text: String(scalars[start..<index]), range: start..<index))
            } else if isIdentifierStart(character) {
                while let part = scalar(at: index), isIdentifierStart(part) || isDigit(part) || part == "$" {
                    index = next(index)
                }
                tokens.append(
                    PostgresSQLToken(kind: .word, text: String(scalars[start..<index]).lowercased(), range: start..<index))
            } else {
                index = next(index)
                tokens.append(PostgresSQLToken(kind: .symbol, text: String(character), range: start..<index))
            }
        }
        return tokens
    }

    private static func isSpace(_ character: Unicode.Scalar) -> Bool {
        [" ", "\t", "\n", "\r", "\u{0B}", "\u{0C}"].contains(character)
    }

    private static func isDigit(_ character: Unicode.Scalar) -> Bool { ("0"..."9").contains(character) }

    /// Letters, `_` and every non-ASCII character (the server's lexer takes any byte above 0x7F as a letter).
    private static func isIdentifierStart(_ character: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(character) || ("A"..."Z").contains(character) || character == "_" || !character.isASCII
    }

    private static func skipBlockComment(
        _ scalars: String.UnicodeScalarView, from start: String.Index
    ) throws(SQLQueryError) -> String.Index {
        var depth = 0
        var index = start
        while index < scalars.endIndex {
            let after = scalars.index(after: index)
            let following = after < scalars.endIndex ? scalars[after] : nil
            if scalars[index] == "/", following == "*" {
                depth += 1
                index = scalars.index(after: after)
            } else if scalars[index] == "*", following == "/" {
                depth -= 1
                index = scalars.index(after: after)
                if depth == 0 { return index }
            } else {
                index = after
            }
        }
        throw SQLQueryError(.invalid, "unterminated /* comment")
    }

    /// The index after the closing quote; a doubled quote is part of the text.
    private static func skipQuoted(
        _ scalars: String.UnicodeScalarView, from start: String.Index, quote: Unicode.Scalar, backslashEscapes: Bool
    ) throws(SQLQueryError) -> String.Index {
        var index = scalars.index(after: start)
        while index < scalars.endIndex {
            let character = scalars[index]
            index = scalars.index(after: index)
            if backslashEscapes, character == "\\" {
                if index < scalars.endIndex { index = scalars.index(after: index) }
            } else if character == quote {
                guard index < scalars.endIndex, scalars[index] == quote else { return index }
                index = scalars.index(after: index)
            }
        }
        throw SQLQueryError(.invalid, quote == "'" ? "unterminated quoted string" : "unterminated quoted identifier")
    }

    /// The end of a `$tag$` delimiter starting at `start` (a tag is an identifier without `$`, possibly empty).
    private static func dollarTagEnd(_ scalars: String.UnicodeScalarView, from start: String.Index) -> String.Index? {
        var index = scalars.index(after: start)
        var first = true
        while index < scalars.endIndex {
            let character = scalars[index]
            if character == "$" { return scalars.index(after: index) }
            guard isIdentifierStart(character) || (!first && isDigit(character)) else { return nil }
            first = false
            index = scalars.index(after: index)
        }
        return nil
    }

    /// The index after the first `tag` at or after `start`.
    private static func endOfDollarQuote(
        _ scalars: String.UnicodeScalarView, from start: String.Index, tag: [Unicode.Scalar]
    ) -> String.Index? {
        var index = start
        while index < scalars.endIndex {
            var probe = index
            var matched = 0
            while matched < tag.count, probe < scalars.endIndex, scalars[probe] == tag[matched] {
                matched += 1
                probe = scalars.index(after: probe)
            }
            if matched == tag.count { return probe }
            index = scalars.index(after: index)
        }
        return nil
    }

    /// Digits, one fraction, one exponent; what follows (even a letter) is scanned as a token of its own, so that a
    /// name glued to a number is still seen.
    private static func skipNumber(_ scalars: String.UnicodeScalarView, from start: String.Index) -> String.Index {
        var index = start
        func at(_ position: String.Index) -> Unicode.Scalar? {
            position < scalars.endIndex ? scalars[position] : nil
        }
        while let character = at(index), isDigit(character) { index = scalars.index(after: index) }
        if at(index) == "." {
            index = scalars.index(after: index)
            while let character = at(index), isDigit(character) { index = scalars.index(after: index) }
        }
        if let e = at(index), e == "e" || e == "E" {
            var exponent = scalars.index(after: index)
            if let sign = at(exponent), sign == "+" || sign == "-" { exponent = scalars.index(after: exponent) }
            if let digit = at(exponent), isDigit(digit) {
                index = exponent
                while let character = at(index), isDigit(character) { index = scalars.index(after: index) }
            }
        }
        return index
    }
}
