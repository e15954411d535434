#pragma once
// Three domain-free steps for the hello examples:
//
//   std::string --tokenize--> Tokens --lowercase--> Tokens --count_words--> WordCounts

#include "orrery/orrery.hpp"

#include <cctype>
#include <map>
#include <string>
#include <vector>

namespace hello {

struct Tokens {
    std::vector<std::string> words;
};
struct WordCounts {
    std::map<std::string, int> counts;
    friend bool operator==(const WordCounts&, const WordCounts&) = default;
};

struct TokenizeParams {
    std::string separators = " \t\n.,;:!?";
    int min_length = 1;
    ORRERY_REFLECT(TokenizeParams,
        (separators, "Characters that separate words"),
        (min_length, "Shortest word kept", orrery::min(1)))
};

struct Tokenize {
    static constexpr std::string_view name = "tokenize";
    static constexpr std::string_view class_name = "hello.Tokenize";
    static constexpr std::string_view description = "Split text into words";
    using Params = TokenizeParams;
    static Tokens process(std::string text, const Params& p, orrery::Context&) {
        Tokens out;
        std::string word;
        auto flush = [&] {
            if (static_cast<int>(word.size()) >= p.min_length) out.words.push_back(word);
            word.clear();
        };
        for (char c : text) {
            if (p.separators.find(c) != std::string::npos) flush();
            else word += c;
        }
        flush();
        return out;
    }
};

struct Lowercase {
    static constexpr std::string_view name = "lowercase";
    static constexpr std::string_view class_name = "hello.Lowercase";
    static constexpr std::string_view description = "Lower-case every word";
    using Params = orrery::NoParams;
    static Tokens process(Tokens t, const Params&, orrery::Context&) {
        for (auto& w : t.words)
            for (auto& c : w) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return t;
    }
};

struct CountWordsParams {
    std::vector<std::string> ignore{};
    ORRERY_REFLECT(CountWordsParams, (ignore, "Words not counted"))
};

struct CountWords {
    static constexpr std::string_view name = "count_words";
    static constexpr std::string_view class_name = "hello.CountWords";
    static constexpr std::string_view description = "Count each distinct word";
    static constexpr std::string_view status_key = "count_words";
    using Params = CountWordsParams;
    static WordCounts process(Tokens t, const Params& p, orrery::Context&) {
        WordCounts out;
        for (const auto& w : t.words)
            if (std::find(p.ignore.begin(), p.ignore.end(), w) == p.ignore.end()) ++out.counts[w];
        return out;
    }
};

/// The three steps as a registered, static pipeline.
struct HelloPipeline {
    static constexpr std::string_view name = "hello";
    static constexpr std::string_view class_name = "hello.HelloPipeline";
    static constexpr std::string_view description = "Count the words of a text";
    using Params = orrery::NoParams;
    static auto chain() { return orrery::chain(Tokenize{}, Lowercase{}, CountWords{}); }
};

}  // namespace hello

ORRERY_REGISTER_STEP(hello::Tokenize)
ORRERY_REGISTER_STEP(hello::Lowercase)
ORRERY_REGISTER_STEP(hello::CountWords)
ORRERY_REGISTER_PIPELINE(hello::HelloPipeline)
