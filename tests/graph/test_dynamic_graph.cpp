// Dynamic graphs from registered names: a valid graph runs (fan-out, named inputs,
// a condition over the state store, StageResult failures); a broken one reports
// every problem at once before anything runs.
#include "orrery/graph/dynamic_graph.hpp"
#include "orrery/graph/register_stage.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace words {

inline std::atomic<int> runs{0};

struct Split {
    static constexpr std::string_view name = "split_words";
    static constexpr std::string_view description = "Splits a text into words";
    using Params = orrery::NoParams;
    static std::vector<std::string> process(const std::string& text, const Params&, orrery::Context&) {
        ++runs;
        std::vector<std::string> out;
        std::istringstream in(text);
        for (std::string w; in >> w;) out.push_back(w);
        return out;
    }
};

struct LengthParams {
    int bonus = 0;
    ORRERY_REFLECT(LengthParams, (bonus, "Added to every length"))
};
struct Length {
    static constexpr std::string_view name = "word_length";
    static constexpr std::string_view description = "Length of one word";
    using Params = LengthParams;
    static orrery::StageResult<int> process(const std::string& word, const Params& p, orrery::Context&) {
        ++runs;
        if (word == "!") return orrery::StageResult<int>::failure("'!' is not a word", "validation");
        return orrery::StageResult<int>::success(static_cast<int>(word.size()) + p.bonus);
    }
};

struct Total {
    static constexpr std::string_view name = "total";
    static constexpr std::string_view description = "Sum of the lengths";
    static constexpr std::string_view state_key = "total_length";
    using Params = orrery::NoParams;
    static int process(const std::vector<int>& lengths, const Params&, orrery::Context&) {
        ++runs;
        int s = 0;
        for (int v : lengths) s += v;
        return s;
    }
};

struct Shout {  // a plain step, registered as a step only
    static constexpr std::string_view name = "shout";
    using Params = orrery::NoParams;
    static std::string process(std::string text, const Params&, orrery::Context&) {
        ++runs;
        std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        return text;
    }
};

struct ReportInputs {
    BOOST_HANA_DEFINE_STRUCT(ReportInputs, (int, total), (std::optional<std::string>, shout));
};
struct Report {
    static constexpr std::string_view name = "word_report";
    static constexpr std::string_view description = "One line about the text";
    using Params = orrery::NoParams;
    static std::string process(ReportInputs in, const Params&, orrery::Context&) {
        ++runs;
        return std::to_string(in.total) + (in.shout ? " " + *in.shout : std::string(" (quiet)"));
    }
};

}  // namespace words

ORRERY_REGISTER_STAGE(words::Split)
ORRERY_REGISTER_STAGE(words::Length)
ORRERY_REGISTER_STAGE(words::Total)
ORRERY_REGISTER_STEP(words::Shout)
ORRERY_REGISTER_STAGE(words::Report)

namespace {

orrery::DynamicGraph word_graph() {
    orrery::DynamicGraph g("words");
    g.add({.id = "split", .type = "split_words", .needs = {"input"}});
    g.add({.id = "lengths", .type = "word_length", .needs = {"split"}, .fan_out = true});
    g.add({.id = "total", .type = "total", .needs = {"lengths"}});
    g.add({.id = "shout",
           .type = "shout",
           .needs = {"input"},
           .when = [](const orrery::Context& c) { return c.get_state<bool>("loud", false); },
           .when_text = "state.loud"});
    g.add({.id = "report", .type = "word_report", .needs = {"total", "shout"}});
    return g;
}

}  // namespace

TEST_CASE("a dynamic graph of registered stages runs: fan-out, named inputs, a condition") {
    auto g = word_graph();
    REQUIRE(g.problems().empty());
    orrery::Context ctx;
    auto quiet = g.run(ctx, {}, orrery::AnyValue(std::string("to be or not")));
    REQUIRE(quiet.ok());
    CHECK(quiet.output<std::vector<int>>("lengths") == std::vector<int>{2, 2, 2, 3});
    CHECK(quiet.stage("lengths").output_count == 4);
    CHECK(quiet.output<std::string>("report") == "9 (quiet)");
    CHECK(quiet.stage("shout").status == orrery::StageStatus::skipped);
    CHECK(ctx.get_state<int>("total_length") == 9);  // Total's state key, by the default output handler

    ctx.set_state("loud", true);
    auto loud = g.run(ctx, {}, orrery::AnyValue(std::string("to be")));
    CHECK(loud.output<std::string>("report") == "4 TO BE");
}

TEST_CASE("a fan-out element's StageResult failure fails the stage with its index") {
    auto g = word_graph();
    orrery::Context ctx;
    auto r = g.run(ctx, {}, orrery::AnyValue(std::string("hello ! world !")));
    CHECK(r.status == orrery::GraphStatus::failed);
    const auto& s = r.stage("lengths");
    CHECK(s.message == "2 of 4 elements failed: [1] '!' is not a word; [3] '!' is not a word");
    CHECK(s.category == "validation");
    CHECK(r.stage("report").status == orrery::StageStatus::cancelled);
}

TEST_CASE("parameters configure the stage's step") {
    orrery::DynamicGraph g("p");
    orrery::ParamNode params = orrery::ParamNode::map();
    params.set("bonus", orrery::ParamNode::scalar("10", "test"));
    g.add({.id = "split", .type = "split_words", .needs = {"input"}});
    g.add({.id = "lengths", .type = "word_length", .needs = {"split"}, .parameters = params, .fan_out = true});
    orrery::Context ctx;
    auto r = g.run(ctx, {}, orrery::AnyValue(std::string("a bb")));
    CHECK(r.output<std::vector<int>>("lengths") == std::vector<int>{11, 12});
}

TEST_CASE("validate reports every problem at once, before any stage runs") {
    orrery::DynamicGraph g("broken");
    orrery::ParamNode bad = orrery::ParamNode::map();
    bad.set("bonsu", orrery::ParamNode::scalar("1", "graph.yaml:9"));
    orrery::RetryPolicy no_attempts;
    no_attempts.max_attempts = 0;
    g.add({.id = "split", .type = "split_word", .needs = {"input"}});                         // unknown type
    g.add({.id = "split2", .type = "split_words", .needs = {"inptu"}});                       // unknown need
    g.add({.id = "a", .type = "shout", .needs = {"b"}});                                      // cycle a <- b <- a
    g.add({.id = "b", .type = "shout", .needs = {"a"}});
    g.add({.id = "after_cycle", .type = "shout", .needs = {"b"}});                            // unreachable
    g.add({.id = "mismatch", .type = "total", .needs = {"split2"}});                          // vector<string> into vector<int>
    g.add({.id = "fan", .type = "word_length", .needs = {"after_cycle"}, .fan_out = true});   // string is not a range of strings
    g.add({.id = "report", .type = "word_report", .needs = {"total_stage", "maybe"}});        // no such fields
    g.add({.id = "maybe", .type = "total", .needs = {"split2"}, .when = [](const orrery::Context&) { return true; }});
    g.add({.id = "report2", .type = "word_report", .needs = {"total", "shout"}});
    g.add({.id = "total", .type = "total", .needs = {"fan"}, .optional = true});            // optional: may be absent
    g.add({.id = "shout", .type = "shout", .needs = {"input"}});
    g.add({.id = "shout", .type = "shout", .needs = {"input"}});                              // duplicate id
    g.add({.id = "input", .type = "shout"});                                                  // reserved id
    g.add({.id = "param", .type = "word_length", .needs = {"input"}, .parameters = bad, .retry = no_attempts});
    g.add({.id = "two", .type = "shout", .needs = {"input", "shout"}});                       // one input only

    const int before = words::runs.load();
    const auto p = g.problems();
    auto has = [&](const std::string& line) {
        const bool found = std::find(p.begin(), p.end(), line) != p.end();
        if (!found) UNSCOPED_INFO("missing: " << line);
        return found;
    };
    CHECK(has("stage 'split': unknown stage type 'split_word' (did you mean 'split_words'?)"));
    CHECK(has("stage 'split2': needs unknown stage 'inptu' (did you mean 'input'?)"));
    CHECK(has("cycle: 'a' <- 'b' <- 'a' (each needs the next)"));
    CHECK(has("stage 'after_cycle' is unreachable: it needs 'b', which depends on a cycle"));
    CHECK(has("stage 'mismatch': takes std::vector<int, std::allocator<int> >, but stage 'split2' gives "
              "std::vector<std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >, "
              "std::allocator<std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > > >"));
    CHECK(has("stage 'fan': fan-out over 'after_cycle', which gives std::__cxx11::basic_string<char, std::char_traits<char>, "
              "std::allocator<char> >, not a range std::vector<std::__cxx11::basic_string<char, std::char_traits<char>, "
              "std::allocator<char> >, std::allocator<std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > > >"));
    CHECK(has("stage 'report': input field 'total' of words::ReportInputs has no stage of that name in its needs"));
    CHECK(has("stage 'report': needs 'total_stage', but words::ReportInputs has no field of that name"));
    CHECK(has("stage 'report2': input field 'total' must be std::optional<int>: stage 'total' may be skipped"));
    CHECK(has("stage 'shout': the id is used twice"));
    CHECK(has("stage 'input': 'input' is reserved for the graph's input"));
    CHECK(has("stage 'param': retry.max_attempts must be at least 1 (is 0)"));
    CHECK(has("stage 'param': parameter 'bonsu' (from graph.yaml:9): unknown parameter for step 'word_length' (did you mean 'bonus'?)"));
    CHECK(has("stage 'two': needs 2 stages, but 'shout' takes one std::__cxx11::basic_string<char, std::char_traits<char>, "
              "std::allocator<char> > (several inputs need a NamedInputs struct)"));
    for (const auto& line : p) UNSCOPED_INFO(line);
    CHECK(p.size() == 21);  // the above, and what follows from them: unreachable stages downstream of the cycle, and report's other field and need

    orrery::Context ctx;
    try {
        (void)g.run(ctx, {}, orrery::AnyValue(std::string("x")));
        FAIL("a broken graph ran");
    } catch (const orrery::ConfigError& e) {
        const std::string what = e.what();
        CHECK(what.rfind("graph 'broken' has 21 problems:\n  - ", 0) == 0);
    }
    CHECK(words::runs.load() == before);
}

TEST_CASE("the graph's input must have the type its readers take") {
    auto g = word_graph();
    orrery::Context ctx;
    CHECK_THROWS_WITH(g.run(ctx, {}, orrery::AnyValue(42)),
                      "graph 'words': stage 'split' takes std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > "
                      "from the graph's input, which is int");
    CHECK_THROWS_WITH(g.run(ctx), "graph 'words': stage 'split' reads the graph's input, but the graph was run without one");
}
