// Static graphs: what a graph lowers to (node ids, inputs, fan-out, condition,
// retry, the stage metadata's counter and handler), and runs of it on the
// executor: the sequencer flow with and without lyrics (a conditional skip gives
// the planner nullopt), fan-out order and a per-element failure, StageResult
// failures and exceptions, optional stages, retries, source stages, typed access
// to the outputs, and the same results as the dynamic graph of the same stages.
#include "orrery/graph/dynamic_graph.hpp"
#include "orrery/graph/register_stage.hpp"
#include "orrery/graph/static_graph.hpp"

#include "static_graph_steps.hpp"

#include "../support/event_recorder.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <type_traits>

ORRERY_REGISTER_STAGE(gs::Analyse)
ORRERY_REGISTER_STAGE(gs::AudioProfile)
ORRERY_REGISTER_STAGE(gs::Transcribe)
ORRERY_REGISTER_STAGE(gs::MacroPlanner)
ORRERY_REGISTER_STAGE(gs::GroupPlanner)

using namespace std::chrono_literals;
using orrery::GraphStatus;
using orrery::StageStatus;

namespace {

auto sequencer(int fail_group = -1) {
    orrery::StepConfig<gs::GroupPlanner> planner;
    planner.params.fail_group = fail_group;
    return orrery::graph<"sequencer">(
        orrery::stage<"audio">(gs::Analyse{}, orrery::from<"input">),
        orrery::stage<"profile">(gs::AudioProfile{}, orrery::from<"audio">, orrery::params(gs::ScaleParams{2})),
        orrery::stage<"lyrics">(gs::Transcribe{}, orrery::from<"audio">, orrery::when<gs::HasLyrics>),
        orrery::stage<"macro">(gs::MacroPlanner{}, orrery::from<"profile", "lyrics">),
        orrery::stage<"groups">(orrery::fan_out(planner), orrery::from<"macro">));
}

std::vector<int> plan_groups(const std::vector<gs::Plan>& plans) {
    std::vector<int> out;
    for (const auto& p : plans) out.push_back(p.group);
    return out;
}

/// A callable condition (the other form when<> takes).
struct LongSong {
    bool operator()(const orrery::Context& ctx) const { return ctx.get_state<int>("minutes", 0) > 5; }
};

/// Takes the lyrics whole: skipped along with a skipped producer.
struct Shout {
    static constexpr std::string_view name = "shout";
    using Params = orrery::NoParams;
    static std::string process(gs::Lyrics l, const Params&, orrery::Context&) { return l.text + "!"; }
};
/// Takes the lyrics as std::optional: runs with nullopt when the producer was skipped.
struct Caption {
    static constexpr std::string_view name = "caption";
    using Params = orrery::NoParams;
    static std::string process(std::optional<gs::Lyrics> l, const Params&, orrery::Context&) { return l ? l->text : "(instrumental)"; }
};

/// A source stage (no from<>): its input is value-initialised.
struct Tempo {
    static constexpr std::string_view name = "tempo";
    using Params = orrery::NoParams;
    static int process(int base, const Params&, orrery::Context&) { return base + 120; }
};

/// Throws instead of returning a failure.
struct Boom {
    static constexpr std::string_view name = "boom";
    using Params = orrery::NoParams;
    static int process(int, const Params&, orrery::Context&) { throw std::runtime_error("the speaker blew"); }
};

/// Fails its first two attempts (counted in the run's state store).
struct Flaky {
    static constexpr std::string_view name = "flaky";
    using Params = orrery::NoParams;
    static orrery::StageResult<int> process(int x, const Params&, orrery::Context& ctx) {
        int n = 0;
        ctx.update_state<int>("flaky_calls", [&n](int& v) { n = ++v; });
        if (n < 3) return orrery::StageResult<int>::failure("not yet (" + std::to_string(n) + ")", "network");
        return orrery::StageResult<int>::success(x * 2);
    }
};

}  // namespace

TEST_CASE("a static graph lowers to one plan node per stage, after the graph's input") {
    auto g = sequencer();
    static_assert(std::is_same_v<decltype(g)::input_type, gs::Song>);
    static_assert(decltype(g)::takes_input);
    const orrery::GraphPlan& plan = g.plan();
    CHECK(plan.name == "sequencer");
    REQUIRE(plan.nodes.size() == 6);
    std::vector<std::string> ids;
    for (const auto& n : plan.nodes) ids.push_back(n.id);
    CHECK(ids == std::vector<std::string>{"input", "audio", "profile", "lyrics", "macro", "groups"});
    CHECK(plan.nodes[0].graph_input);
    CHECK_FALSE(plan.nodes[0].run);

    const auto& audio = plan.nodes[1];
    CHECK(audio.stage_type == "analyse");
    REQUIRE(audio.inputs.size() == 1);
    CHECK(audio.inputs[0].producer == 0);
    CHECK_FALSE(audio.inputs[0].accepts_absent);
    CHECK_FALSE(audio.condition);
    CHECK_FALSE(audio.split);

    const auto& lyrics = *plan.find("lyrics");
    REQUIRE(lyrics.condition);
    CHECK(lyrics.condition_text == "when gs::HasLyrics");
    orrery::Context ctx;
    CHECK_FALSE(lyrics.condition(ctx));
    ctx.set_state("has_lyrics", true);
    CHECK(lyrics.condition(ctx));

    // Named inputs in the struct's field order, the conditional one accepting absence.
    const auto& macro = *plan.find("macro");
    REQUIRE(macro.inputs.size() == 2);
    CHECK(macro.inputs[0].producer == 2);
    CHECK(macro.inputs[0].name == "profile");
    CHECK_FALSE(macro.inputs[0].accepts_absent);
    CHECK(macro.inputs[1].producer == 3);
    CHECK(macro.inputs[1].name == "lyrics");
    CHECK(macro.inputs[1].accepts_absent);

    const auto& groups = *plan.find("groups");
    CHECK(groups.stage_type == "group_planner");
    REQUIRE(groups.inputs.size() == 1);
    CHECK(groups.inputs[0].producer == 4);
    CHECK(groups.split);
    CHECK(groups.gather);
    // Counters and handlers from the stage metadata: a range counts its elements, a
    // state key gets a handler; a fan-out is counted by the executor (its elements).
    REQUIRE(macro.count_outputs);
    CHECK(macro.count_outputs(orrery::AnyValue(std::vector<gs::Group>(3))) == 3);
    CHECK(audio.count_outputs(orrery::AnyValue(gs::Audio{})) == 1);
    CHECK_FALSE(audio.apply_output);
    CHECK(plan.find("profile")->apply_output);
    CHECK_FALSE(groups.count_outputs);
    CHECK_FALSE(groups.apply_output);
}

TEST_CASE("a lowered node's run builds the step's input from the attempt's values and runs the step") {
    auto g = sequencer();
    const auto& macro = *g.plan().find("macro");
    orrery::Context ctx;
    std::vector<orrery::StageValue> inputs{std::make_shared<orrery::AnyValue>(gs::Profile{30}), nullptr};
    orrery::AttemptCall call{inputs, false, ctx, 1};
    auto outcome = macro.run(call);
    REQUIRE(outcome.kind == orrery::AttemptOutcome::Kind::value);
    CHECK(outcome.value->get<std::vector<gs::Group>>()->size() == 3);  // absent lyrics: no group 100

    // A StageResult failure becomes a failed outcome with its message and category.
    const auto& lyrics = *g.plan().find("lyrics");
    std::vector<orrery::StageValue> untitled{std::make_shared<orrery::AnyValue>(gs::Audio{"", 4})};
    orrery::AttemptCall call2{untitled, false, ctx, 1};
    auto failed = lyrics.run(call2);
    REQUIRE(failed.kind == orrery::AttemptOutcome::Kind::failure);
    CHECK(failed.failure.message == "no title to transcribe");
    CHECK(failed.failure.category == "input");
}

TEST_CASE("the sequencer runs every stage, its outputs typed by stage id") {
    auto g = sequencer();
    orrery::Context ctx;
    ctx.set_state("has_lyrics", true);
    auto r = g.run(gs::Song{"blue", 20}, ctx);
    REQUIRE(r.ok());
    static_assert(std::is_same_v<decltype(r.get<"groups">()), const std::vector<gs::Plan>&>);
    static_assert(std::is_same_v<decltype(r.get<"lyrics">()), const gs::Lyrics&>);
    CHECK(r.get<"profile">().energy == 40);  // params(ScaleParams{2}) doubled the beats
    CHECK(r.get<"lyrics">().text == "la la blue");
    // Fan-out results in input order: groups 0..3 from the energy, then 100 for the lyrics.
    CHECK(plan_groups(r.get<"groups">()) == std::vector<int>{0, 1, 2, 3, 100});
    CHECK(r.get<"groups">()[4].text == "plan 100");
    CHECK(r.stage("groups").output_count == 5);
    CHECK(r.stage("macro").output_count == 5);
    CHECK(ctx.get_state<gs::Profile>("profile").energy == 40);  // AudioProfile's state key
    for (const auto* id : {"audio", "profile", "lyrics", "macro", "groups"}) CHECK(r.stage(id).status == StageStatus::succeeded);
}

TEST_CASE("a conditional stage whose predicate is false is skipped, its optional field arrives as nullopt") {
    auto g = sequencer();
    orrery::Context ctx;  // no "has_lyrics" in the state
    auto r = g.run(gs::Song{"blue", 20}, ctx);
    REQUIRE(r.ok());
    CHECK(r.stage("lyrics").status == StageStatus::skipped);
    CHECK_FALSE(r.has<"lyrics">());
    CHECK_THROWS_AS(r.get<"lyrics">(), orrery::UsageError);
    CHECK(plan_groups(r.get<"groups">()) == std::vector<int>{0, 1, 2, 3});
}

TEST_CASE("one input from a conditional stage: T is skipped along, std::optional<T> runs with nullopt") {
    auto g = orrery::graph<"captions">(orrery::stage<"audio">(gs::Analyse{}, orrery::from<"input">),
                                       orrery::stage<"lyrics">(gs::Transcribe{}, orrery::from<"audio">, orrery::when<LongSong>),
                                       orrery::stage<"shout">(Shout{}, orrery::from<"lyrics">),
                                       orrery::stage<"caption">(Caption{}, orrery::from<"lyrics">));
    CHECK(g.plan().find("caption")->inputs[0].accepts_absent);
    CHECK_FALSE(g.plan().find("shout")->inputs[0].accepts_absent);
    CHECK_THAT(g.plan().find("lyrics")->condition_text, Catch::StartsWith("when ") && Catch::EndsWith("::LongSong"));
    {
        orrery::Context ctx;
        auto r = g.run(gs::Song{"blue", 20}, ctx);
        REQUIRE(r.ok());
        CHECK(r.stage("shout").status == StageStatus::skipped);
        CHECK(r.get<"caption">() == "(instrumental)");
    }
    {
        orrery::Context ctx;
        ctx.set_state("minutes", 7);
        auto r = g.run(gs::Song{"blue", 20}, ctx);
        REQUIRE(r.ok());
        CHECK(r.get<"shout">() == "la la blue!");
        CHECK(r.get<"caption">() == "la la blue");
    }
}

TEST_CASE("a fan-out element's failure is reported with its index and fails the run") {
    auto g = sequencer(/*fail_group=*/2);
    orrery::Context ctx;
    auto r = g.run(gs::Song{"blue", 40}, ctx);
    CHECK(r.status() == GraphStatus::failed);
    const auto& groups = r.stage("groups");
    CHECK(groups.status == StageStatus::failed);
    REQUIRE(groups.element_failures.size() == 1);
    CHECK(groups.element_failures[0].index == 2);
    CHECK(groups.element_failures[0].failure.message == "group 2 cannot be planned");
    CHECK(r.graph_result().failed_stages() == std::vector<std::string>{"groups"});
}

TEST_CASE("a StageResult failure fails the stage, an optional stage's failure leaves the run degraded") {
    auto strict = orrery::graph<"g">(orrery::stage<"audio">(gs::Analyse{}, orrery::from<"input">),
                                     orrery::stage<"profile">(gs::AudioProfile{}, orrery::from<"audio">),
                                     orrery::stage<"lyrics">(gs::Transcribe{}, orrery::from<"audio">),
                                     orrery::stage<"macro">(gs::MacroPlanner{}, orrery::from<"profile", "lyrics">));
    CHECK_FALSE(strict.plan().find("lyrics")->optional);
    orrery::Context ctx;
    auto r = strict.run(gs::Song{"", 20}, ctx);  // no title: the transcriber returns a failure
    CHECK(r.status() == GraphStatus::failed);
    CHECK(r.stage("lyrics").status == StageStatus::failed);
    CHECK(r.stage("lyrics").message == "no title to transcribe");
    CHECK(r.stage("lyrics").category == "input");
    CHECK(r.stage("macro").status == StageStatus::cancelled);  // fail-fast

    auto lenient = orrery::graph<"g">(orrery::stage<"audio">(gs::Analyse{}, orrery::from<"input">),
                                      orrery::stage<"profile">(gs::AudioProfile{}, orrery::from<"audio">),
                                      orrery::stage<"lyrics">(gs::Transcribe{}, orrery::from<"audio">, orrery::optional_stage),
                                      orrery::stage<"macro">(gs::MacroPlanner{}, orrery::from<"profile", "lyrics">));
    CHECK(lenient.plan().find("lyrics")->optional);
    orrery::Context ctx2;
    auto r2 = lenient.run(gs::Song{"", 20}, ctx2);
    CHECK(r2.status() == GraphStatus::degraded);
    CHECK(r2.stage("lyrics").status == StageStatus::failed);
    CHECK(r2.get<"macro">().size() == 2);  // ran with the lyrics absent
}

TEST_CASE("retry(...) gives the stage more attempts, a source stage and run(ctx) need no graph input") {
    orrery::RetryPolicy policy;
    policy.max_attempts = 3;
    policy.initial_backoff = 10ms;
    auto g = orrery::graph<"retrying">(orrery::stage<"tempo">(Tempo{}),
                                       orrery::stage<"flaky">(Flaky{}, orrery::from<"tempo">, orrery::retry(policy)));
    static_assert(!decltype(g)::takes_input);
    static_assert(std::is_void_v<decltype(g)::input_type>);
    REQUIRE(g.plan().nodes.size() == 2);  // no graph_input node
    CHECK(g.plan().nodes[1].retry.max_attempts == 3);
    auto clock = std::make_shared<orrery::ManualClock>();
    orrery::GraphOptions options;
    options.clock = clock;
    orrery::Context ctx;
    auto r = g.run(ctx, options);
    REQUIRE(r.ok());
    CHECK(r.get<"tempo">() == 120);
    CHECK(r.get<"flaky">() == 240);
    CHECK(r.stage("flaky").attempts == 3);
    CHECK(clock->sleeps() == std::vector<orrery::Clock::duration>{10ms, 20ms});  // the backoff, not slept for real
}

TEST_CASE("a fan-out over the graph's input takes a std::vector of the step's input") {
    auto g = orrery::graph<"plans">(orrery::stage<"plans">(orrery::fan_out(gs::GroupPlanner{}), orrery::from<"input">));
    static_assert(std::is_same_v<decltype(g)::input_type, std::vector<gs::Group>>);
    orrery::Context ctx;
    auto r = g.run({{7}, {3}, {5}}, ctx);
    REQUIRE(r.ok());
    CHECK(plan_groups(r.get<"plans">()) == std::vector<int>{7, 3, 5});
    CHECK(r.stage("plans").output_count == 3);
}

TEST_CASE("a step that throws fails its stage with the message; continue_on_error runs the rest") {
    auto g = orrery::graph<"throwing">(orrery::stage<"boom">(Boom{}, orrery::from<"input">),
                                       orrery::stage<"after">(Tempo{}, orrery::from<"boom">),
                                       orrery::stage<"tempo">(Tempo{}, orrery::from<"input">));
    static_assert(std::is_same_v<decltype(g)::input_type, int>);
    orrery::GraphOptions options;
    options.on_failure = orrery::FailurePolicy::continue_on_error;
    orrery::Context ctx;
    auto r = g.run(3, ctx, options);
    CHECK(r.status() == GraphStatus::degraded);
    CHECK(r.stage("boom").status == StageStatus::failed);
    CHECK_THAT(r.stage("boom").message, Catch::Contains("the speaker blew"));
    CHECK(r.stage("after").status == StageStatus::skipped);
    CHECK(r.get<"tempo">() == 123);
}

TEST_CASE("stages run through run_step: the steps' own events reach the observers") {
    auto g = sequencer();
    orrery::Context ctx;
    auto recorder = std::make_shared<orrery::test::EventRecorder>();
    ctx.add_observer(recorder);
    auto r = g.run(gs::Song{"blue", 10}, ctx);
    REQUIRE(r.ok());
    std::size_t step_finishes = 0, stage_finishes = 0;
    for (const auto& e : recorder->events) {
        if (e.kind != orrery::StepEvent::Kind::finish || e.alias != "group_planner") continue;
        if (e.stage.empty()) ++step_finishes;  // the step's own event (run_step)
        else if (e.stage == "groups") ++stage_finishes;
    }
    CHECK(step_finishes == 2);  // energy 20: groups 0 and 1, one step run each
    CHECK(stage_finishes == 1);
}

TEST_CASE("a static graph and the dynamic graph of the same stages give the same results") {
    orrery::DynamicGraph dynamic("sequencer");
    orrery::ParamNode scale = orrery::ParamNode::map();
    scale.set("factor", orrery::to_node(2));
    dynamic.add({.id = "audio", .type = "analyse", .needs = {"input"}});
    dynamic.add({.id = "profile", .type = "audio_profile", .needs = {"audio"}, .parameters = scale});
    dynamic.add({.id = "lyrics", .type = "transcribe", .needs = {"audio"}, .when = &gs::HasLyrics::test, .when_text = "when gs::HasLyrics"});
    dynamic.add({.id = "macro", .type = "macro_planner", .needs = {"profile", "lyrics"}});
    dynamic.add({.id = "groups", .type = "group_planner", .needs = {"macro"}, .fan_out = true});
    REQUIRE(dynamic.problems().empty());
    auto static_graph = sequencer();

    for (bool lyrics : {false, true}) {
        CAPTURE(lyrics);
        orrery::Context sctx, dctx;
        sctx.set_state("has_lyrics", lyrics);
        dctx.set_state("has_lyrics", lyrics);
        auto s = static_graph.run(gs::Song{"blue", 30}, sctx);
        auto d = dynamic.run(dctx, {}, orrery::AnyValue(gs::Song{"blue", 30}));
        REQUIRE(s.ok());
        REQUIRE(d.ok());
        REQUIRE(s.report().stages.size() == d.stages.size());
        for (std::size_t i = 0; i < d.stages.size(); ++i) {
            const auto& a = s.report().stages[i];
            const auto& b = d.stages[i];
            CAPTURE(a.id);
            CHECK(a.id == b.id);
            CHECK(a.stage_type == b.stage_type);
            CHECK(a.status == b.status);
            CHECK(a.attempts == b.attempts);
            CHECK(a.output_count == b.output_count);
        }
        CHECK(plan_groups(s.get<"groups">()) == plan_groups(d.output<std::vector<gs::Plan>>("groups")));
        CHECK(s.get<"profile">().energy == d.output<gs::Profile>("profile").energy);
        CHECK(sctx.get_state<gs::Profile>("profile").energy == dctx.get_state<gs::Profile>("profile").energy);
    }
}
