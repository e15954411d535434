// Stage metadata: the defaults of a plain step, declared keys / handler / counter /
// dependencies, the registry's run-time validation and collisions, and the
// registration macro (both registries, problems kept instead of thrown).
#include "orrery/graph/register_stage.hpp"
#include "orrery/graph/stage_metadata.hpp"
#include "orrery/graph/stage_registry.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace meta_test {

struct Plain {
    static constexpr std::string_view name = "plain";
    using Params = orrery::NoParams;
    static int process(int x, const Params&, orrery::Context&) { return x + 1; }
};

struct Split {  // a range output, a StageResult, a class name and a description; still no metadata
    static constexpr std::string_view name = "split";
    static constexpr std::string_view class_name = "meta_test.Split";
    static constexpr std::string_view description = "Splits a text into words";
    using Params = orrery::NoParams;
    static orrery::StageResult<std::vector<std::string>> process(std::string text, const Params&, orrery::Context&) {
        std::vector<std::string> words;
        std::string w;
        for (char c : text) {
            if (c == ' ') {
                if (!w.empty()) words.push_back(w);
                w.clear();
            } else {
                w += c;
            }
        }
        if (!w.empty()) words.push_back(w);
        return orrery::StageResult<std::vector<std::string>>::success(std::move(words));
    }
};

struct Title {  // produces a string: one output, not one per character
    static constexpr std::string_view name = "title";
    using Params = orrery::NoParams;
    static std::string process(std::string text, const Params&, orrery::Context&) { return text; }
};

struct Profile {  // one state key: the default handler stores the value there
    static constexpr std::string_view name = "profile";
    static constexpr std::string_view description = "Profiles the audio";
    static constexpr std::string_view state_key = "profile";
    static constexpr std::array<std::string_view, 1> depends_on{"audio"};
    using Params = orrery::NoParams;
    static std::vector<double> process(int n, const Params&, orrery::Context&) { return std::vector<double>(static_cast<std::size_t>(n), 0.5); }
};

struct Stats {
    int words = 0;
    int lines = 0;
};
struct Count {  // several keys, its own handler and counter, two dependencies
    static constexpr std::string_view name = "count";
    static constexpr std::string_view description = "Counts words and lines";
    static constexpr std::string_view state_keys[] = {"word_count", "line_count"};
    static constexpr std::array<std::string_view, 2> depends_on{"split", "meta_test.Plain"};
    using Params = orrery::NoParams;
    static Stats process(std::string text, const Params&, orrery::Context&) {
        return {static_cast<int>(text.size()), 1};
    }
    static void apply_output(const Stats& s, orrery::Context& ctx) {
        ctx.set_state("word_count", s.words);
        ctx.set_state("line_count", s.lines);
    }
    static std::size_t count_outputs(const Stats& s) { return static_cast<std::size_t>(s.words); }
};

struct Fixed {  // a constant counter
    static constexpr std::string_view name = "fixed";
    static constexpr std::size_t output_count = 3;
    using Params = orrery::NoParams;
    static std::vector<int> process(int x, const Params&, orrery::Context&) { return {x}; }
};

// Registered by macro. Two steps in different namespaces share the alias "echo":
// the second registration (by source order, the later line) collides.
struct Audio {
    static constexpr std::string_view name = "audio";
    static constexpr std::string_view class_name = "meta_test.Audio";
    static constexpr std::string_view description = "Analyses audio";
    static constexpr std::string_view state_key = "audio_length";
    using Params = orrery::NoParams;
    static int process(int x, const Params&, orrery::Context&) { return x * 2; }
};
namespace first {
struct Echo {
    static constexpr std::string_view name = "meta_echo";
    static constexpr std::string_view class_name = "first.Echo";
    static constexpr std::string_view description = "Echoes";
    using Params = orrery::NoParams;
    static int process(int x, const Params&, orrery::Context&) { return x; }
};
}  // namespace first
namespace second {
struct Echo {
    static constexpr std::string_view name = "meta_echo";
    static constexpr std::string_view class_name = "second.Echo";
    static constexpr std::string_view description = "Echoes too";
    using Params = orrery::NoParams;
    static int process(int x, const Params&, orrery::Context&) { return x; }
};
}  // namespace second

struct AudioToo {  // another class with the alias of a stage type registered by macro
    static constexpr std::string_view name = "audio";
    static constexpr std::string_view class_name = "meta_test.AudioToo";
    static constexpr std::string_view description = "Analyses audio again";
    using Params = orrery::NoParams;
    static int process(int x, const Params&, orrery::Context&) { return x; }
};

struct Quiet : orrery::Context {
    Quiet() { set_logger(std::make_shared<orrery::NullLogger>()); }
};

}  // namespace meta_test

ORRERY_REGISTER_STAGE(meta_test::Audio)
ORRERY_REGISTER_STAGE(meta_test::first::Echo)
ORRERY_REGISTER_STAGE(meta_test::second::Echo)

using namespace meta_test;
using orrery::AnyValue;
using orrery::StageMetadata;
using orrery::StageRegistry;

namespace {
bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

/// The message of the ConfigError `f` throws ("" when it throws none).
template <class F>
std::string config_error_of(F&& f) {
    try {
        f();
    } catch (const orrery::ConfigError& e) {
        return e.what();
    }
    return {};
}
}  // namespace

TEST_CASE("a plain step gets defaults: no state keys, no handler, no dependencies, a counter of one") {
    const StageMetadata m = orrery::make_stage_metadata<Plain>("here.cpp:1");
    CHECK(m.type == "plain");
    CHECK(m.class_name == "plain");
    CHECK(m.description.empty());
    CHECK(m.state_keys.empty());
    CHECK_FALSE(m.output_handler);
    CHECK(m.depends_on.empty());
    CHECK(m.origin == "here.cpp:1");
    CHECK(m.io.value_type == typeid(int));
    REQUIRE(m.output_counter);
    CHECK(m.output_counter(AnyValue(41)) == 1);
}

TEST_CASE("the default counter of a range is its size; a string is one output; the value type is the StageResult's") {
    const StageMetadata m = orrery::make_stage_metadata<Split>();
    CHECK(m.class_name == "meta_test.Split");
    CHECK(m.description == "Splits a text into words");
    CHECK(m.io.value_type == typeid(std::vector<std::string>));
    CHECK(m.output_counter(AnyValue(std::vector<std::string>{"a", "b", "c"})) == 3);
    CHECK(m.output_counter(AnyValue(std::vector<std::string>{})) == 0);
    CHECK(orrery::make_stage_metadata<Title>().output_counter(AnyValue(std::string("a long title"))) == 1);
    CHECK(orrery::make_stage_metadata<Fixed>().output_counter(AnyValue(std::vector<int>{1})) == 3);
}

TEST_CASE("a counter given a box of another type says which stage expected what") {
    const StageMetadata m = orrery::make_stage_metadata<Split>();
    try {
        (void)m.output_counter(AnyValue(5));
        FAIL("no error");
    } catch (const orrery::InternalError& e) {
        CHECK(contains(e.what(), "stage type 'split'"));
        CHECK(contains(e.what(), "got int"));
    }
}

TEST_CASE("one state key: the default handler stores a copy of the value in the context's state store") {
    const StageMetadata m = orrery::make_stage_metadata<Profile>();
    CHECK(m.state_keys == std::vector<std::string>{"profile"});
    CHECK(m.depends_on == std::vector<std::string>{"audio"});
    REQUIRE(m.output_handler);
    Quiet ctx;
    const AnyValue value(std::vector<double>{1.0, 2.0});
    m.output_handler(value, ctx);
    CHECK(ctx.get_state<std::vector<double>>("profile") == std::vector<double>{1.0, 2.0});
    CHECK(value.get<std::vector<double>>()->size() == 2);  // copied, not moved out
    CHECK(m.output_counter(value) == 2);
}

TEST_CASE("declared keys, handler, counter and dependencies are read from the step") {
    const StageMetadata m = orrery::make_stage_metadata<Count>("count.cpp:7");
    CHECK(m.state_keys == std::vector<std::string>{"word_count", "line_count"});
    CHECK(m.depends_on == std::vector<std::string>{"split", "meta_test.Plain"});
    Quiet ctx;
    const AnyValue value(Stats{12, 3});
    REQUIRE(m.output_handler);
    m.output_handler(value, ctx);
    CHECK(ctx.get_state<int>("word_count") == 12);
    CHECK(ctx.get_state<int>("line_count") == 3);
    CHECK(m.output_counter(value) == 12);
}

TEST_CASE("add() validates a registration and names its origin") {
    StageRegistry reg;
    auto good = [] {
        auto m = orrery::make_stage_metadata<Count>("count.cpp:7");
        return m;
    };

    SECTION("a state key that is not an identifier") {
        auto m = good();
        m.state_keys = {"word_count", "2nd"};
        const auto msg = config_error_of([&] { reg.add(m); });
        CHECK(contains(msg, "stage registration 'count' (count.cpp:7)"));
        CHECK(contains(msg, "state key '2nd' is not an identifier"));
        m.state_keys = {"word-count"};
        CHECK(contains(config_error_of([&] { reg.add(m); }), "state key 'word-count' is not an identifier"));
    }
    SECTION("a state key declared twice") {
        auto m = good();
        m.state_keys = {"word_count", "word_count"};
        CHECK(contains(config_error_of([&] { reg.add(m); }), "state key 'word_count' is declared twice"));
    }
    SECTION("a missing description") {
        auto m = good();
        m.description.clear();
        CHECK(contains(config_error_of([&] { reg.add(m); }), "(count.cpp:7): the description is empty"));
    }
    SECTION("a missing type") {
        auto m = good();
        m.type.clear();
        CHECK(contains(config_error_of([&] { reg.add(m); }), "the stage type (its alias) is empty"));
    }
    SECTION("data shapes not filled") {
        auto m = good();
        m.io = {};
        CHECK(contains(config_error_of([&] { reg.add(m); }), "the data shapes (io) are not filled"));
    }
    SECTION("several keys without a handler") {
        auto m = good();
        m.output_handler = nullptr;
        CHECK(contains(config_error_of([&] { reg.add(m); }), "several state keys need an output handler"));
    }
    CHECK(reg.size() == 0);  // nothing refused was added
    reg.add(good());
    CHECK(reg.size() == 1);
}

TEST_CASE("a second registration of a name collides, naming both origins; the identical one is ignored") {
    StageRegistry reg;
    reg.add(orrery::make_stage_metadata<Count>("a.cpp:1"));
    reg.add(orrery::make_stage_metadata<Count>("a.cpp:1"));  // identical: ignored
    CHECK(reg.size() == 1);

    const auto other_origin = config_error_of([&] { reg.add(orrery::make_stage_metadata<Count>("b.cpp:2")); });
    CHECK(contains(other_origin, "stage registration 'count' (b.cpp:2)"));
    CHECK(contains(other_origin, "registered at a.cpp:1"));

    auto other_class = orrery::make_stage_metadata<Split>("c.cpp:3");
    other_class.type = "count";
    const auto msg = config_error_of([&] { reg.add(other_class); });
    CHECK(contains(msg, "(c.cpp:3)"));
    CHECK(contains(msg, "class count"));
    CHECK(contains(msg, "a.cpp:1"));

    auto same_class = orrery::make_stage_metadata<Split>("d.cpp:4");
    same_class.class_name = "count";  // another alias whose class name is a registered name
    CHECK(contains(config_error_of([&] { reg.add(same_class); }), "(d.cpp:4) collides"));
    CHECK(reg.size() == 1);
    CHECK(reg.get("count").origin == "a.cpp:1");  // the first registration is kept
}

TEST_CASE("record() keeps problems; looking the name up throws them") {
    StageRegistry reg;
    CHECK(reg.record(orrery::make_stage_metadata<Split>("a.cpp:1")));
    CHECK(reg.record(orrery::make_stage_metadata<Split>("a.cpp:1")));  // identical: fine
    auto clash = orrery::make_stage_metadata<Count>("b.cpp:2");
    clash.type = "split";
    CHECK_FALSE(reg.record(clash));
    auto nameless = orrery::make_stage_metadata<Plain>("c.cpp:3");  // a plain step has no description
    CHECK_FALSE(reg.record(nameless));

    const auto problems = reg.problems();
    REQUIRE(problems.size() == 2);
    CHECK(contains(problems[0], "b.cpp:2"));
    CHECK(contains(problems[0], "a.cpp:1"));
    CHECK(contains(problems[1], "(c.cpp:3): the description is empty"));

    CHECK(contains(config_error_of([&] { (void)reg.get("split"); }), "b.cpp:2"));
    CHECK(contains(config_error_of([&] { (void)reg.find("count"); }), "collides"));  // the refused one's class name
    CHECK(reg.find("meta_test.Split")->origin == "a.cpp:1");                              // the kept one's is not contested
    CHECK(contains(config_error_of([&] { (void)reg.find("plain"); }), "the description is empty"));
    CHECK(reg.validate_dependencies() == problems);
}

TEST_CASE("find() takes the alias or the class name; get() of an unknown name suggests close ones") {
    StageRegistry reg;
    CHECK(reg.find("split") == nullptr);
    try {
        (void)reg.get("split");
        FAIL("no error");
    } catch (const orrery::UsageError& e) {
        CHECK(contains(e.what(), "no stage type is registered"));
    }
    reg.add(orrery::make_stage_metadata<Split>("a.cpp:1"));
    const StageMetadata* by_alias = reg.find("split");
    REQUIRE(by_alias);
    CHECK(reg.find("meta_test.Split") == by_alias);
    reg.add(orrery::make_stage_metadata<Count>("a.cpp:2"));
    CHECK(reg.find("split") == by_alias);  // earlier entries stay where they are
    try {
        (void)reg.get("splt");
        FAIL("no error");
    } catch (const orrery::UsageError& e) {
        CHECK(std::string(e.what()) == "unknown stage type 'splt' (did you mean 'split'?)");
    }
    const auto all = reg.all();
    REQUIRE(all.size() == 2);
    CHECK(all[0].type == "count");
    CHECK(all[1].type == "split");
}

TEST_CASE("validate_dependencies() reports every depends_on that names no registered stage type") {
    StageRegistry reg;
    reg.add(orrery::make_stage_metadata<Count>("count.cpp:7"));  // depends on split and meta_test.Plain
    auto profile = orrery::make_stage_metadata<Profile>("profile.cpp:3");  // depends on audio
    reg.add(profile);
    auto problems = reg.validate_dependencies();
    REQUIRE(problems.size() == 3);
    CHECK(problems[0] == "stage type 'count' (count.cpp:7) depends on 'split', which is not a registered stage type");
    CHECK(contains(problems[1], "'meta_test.Plain'"));
    CHECK(contains(problems[2], "stage type 'profile' (profile.cpp:3) depends on 'audio'"));

    reg.add(orrery::make_stage_metadata<Split>("split.cpp:1"));
    auto plain = orrery::make_stage_metadata<Plain>("plain.cpp:1");
    plain.class_name = "meta_test.Plain";
    plain.description = "Adds one";
    reg.add(plain);  // found by class name
    reg.add(orrery::make_stage_metadata<Audio>("audio.cpp:1"));
    CHECK(reg.validate_dependencies().empty());
}

TEST_CASE("ORRERY_REGISTER_STAGE registers the step and its stage metadata with file:line origins") {
    const auto& step = orrery::Registry::instance().get("meta_test.Audio");
    CHECK(step.alias == "audio");
    const auto& stage = StageRegistry::instance().get("audio");
    CHECK(stage.class_name == "meta_test.Audio");
    CHECK(stage.state_keys == std::vector<std::string>{"audio_length"});
    CHECK(contains(stage.origin, "test_stage_metadata.cpp:"));
    CHECK(stage.origin == step.origin);
    CHECK(orrery::registered_stage<Audio>);
    CHECK(orrery::registered<Audio>);

    Quiet ctx;
    stage.output_handler(AnyValue(8), ctx);
    CHECK(ctx.get_state<int>("audio_length") == 8);
}

TEST_CASE("a collision between macro registrations is kept, names both origins, and surfaces on lookup") {
    const auto problems = StageRegistry::instance().problems();
    REQUIRE(problems.size() == 1);
    CHECK(contains(problems[0], "stage registration 'meta_echo'"));
    const auto first_origin = orrery::Registry::instance().get("first.Echo").origin;
    const auto second_origin = orrery::Registry::instance().get("second.Echo").origin;
    CHECK(contains(problems[0], first_origin));
    CHECK(contains(problems[0], second_origin));
    CHECK(config_error_of([] { (void)StageRegistry::instance().get("meta_echo"); }) == problems[0]);
    CHECK(StageRegistry::instance().validate_dependencies() == problems);
}

TEST_CASE("register_stage<S>() registers explicitly and throws on a collision") {
    orrery::register_stage<Split>("explicit.cpp:1");
    orrery::register_stage<Split>("explicit.cpp:1");  // identical: ignored
    CHECK(StageRegistry::instance().get("meta_test.Split").origin == "explicit.cpp:1");
    CHECK(orrery::Registry::instance().find("split") != nullptr);
    const auto msg = config_error_of([] { orrery::register_stage<Split>("elsewhere.cpp:9"); });
    CHECK(contains(msg, "(elsewhere.cpp:9) collides"));
    CHECK(contains(msg, "explicit.cpp:1"));

    const auto clash = config_error_of([] { orrery::register_stage<AudioToo>("again.cpp:5"); });
    CHECK(contains(clash, "stage registration 'audio' (again.cpp:5) collides"));
    CHECK(orrery::Registry::instance().find("meta_test.AudioToo") == nullptr);  // refused as a stage: not a step either
}
