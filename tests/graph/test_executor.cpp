// The graph executor on hand-made plans: parallel structure from the edges,
// conditions and skip propagation, fan-out order and per-element failures,
// retries on an injected clock (no real sleeping), timeouts, cancellation,
// fail-fast vs continue_on_error, events, and the state store under concurrency.
#include "orrery/graph/executor.hpp"

#include "../support/event_recorder.hpp"

using orrery::test::EventRecorder;

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

using namespace std::chrono_literals;
using orrery::AttemptCall;
using orrery::AttemptOutcome;
using orrery::GraphPlan;
using orrery::PlanNode;
using orrery::StageStatus;
using orrery::StageValue;

namespace {

StageValue value(int v) { return std::make_shared<orrery::AnyValue>(v); }
int as_int(const StageValue& v) { return *v->get<int>(); }

/// A node computing f(inputs as ints, ctx) -> int.
template <class F>
PlanNode node(std::string id, std::vector<std::size_t> from, F f) {
    PlanNode n;
    n.id = std::move(id);
    n.stage_type = "test";
    for (auto p : from) n.inputs.push_back({p, {}, false});
    n.run = [f](AttemptCall& call) {
        std::vector<int> in;
        for (const auto& v : call.inputs) in.push_back(v ? as_int(v) : -1);
        return AttemptOutcome::of(value(f(in, call)));
    };
    return n;
}

int sum(const std::vector<int>& in) {
    int s = 0;
    for (int v : in) s += v;
    return s;
}

}  // namespace

TEST_CASE("a diamond runs in dependency order and reports every stage") {
    GraphPlan plan{"diamond", {}};
    plan.nodes.push_back(node("a", {}, [](auto&, auto&) { return 1; }));
    plan.nodes.push_back(node("b", {0}, [](auto& in, auto&) { return in[0] + 10; }));
    plan.nodes.push_back(node("c", {0}, [](auto& in, auto&) { return in[0] + 100; }));
    plan.nodes.push_back(node("d", {1, 2}, [](auto& in, auto&) { return sum(in); }));
    orrery::Context ctx;
    auto r = orrery::run_plan(plan, ctx);
    REQUIRE(r.ok());
    CHECK(r.output<int>("d") == 112);
    CHECK(r.stages.size() == 4);
    CHECK(r.stage("b").attempts == 1);
    CHECK(r.stage("d").output_count == 1);
    CHECK(ctx.metrics().at("stage.d.attempts") == 1);
}

TEST_CASE("two independent stages that each sleep 200 ms run at the same time") {
    GraphPlan plan{"parallel", {}};
    auto sleeper = [](auto&, auto&) {
        std::this_thread::sleep_for(200ms);
        return 1;
    };
    plan.nodes.push_back(node("left", {}, sleeper));
    plan.nodes.push_back(node("right", {}, sleeper));
    orrery::Context ctx;
    orrery::GraphOptions options;
    options.concurrency = 2;
    const auto start = std::chrono::steady_clock::now();
    auto r = orrery::run_plan(plan, ctx, options);
    const auto took = std::chrono::steady_clock::now() - start;
    REQUIRE(r.ok());
    CHECK(took < 380ms);  // serial would be >= 400 ms
}

TEST_CASE("a false condition skips the stage, and dependants skip unless they accept an absent input") {
    GraphPlan plan{"conditional", {}};
    plan.nodes.push_back(node("audio", {}, [](auto&, auto&) { return 7; }));
    auto lyrics = node("lyrics", {0}, [](auto& in, auto&) { return in[0]; });
    lyrics.condition = [](const orrery::Context& c) { return c.get_state<bool>("has_lyrics", false); };
    lyrics.condition_text = "has_lyrics";
    plan.nodes.push_back(lyrics);
    plan.nodes.push_back(node("needs_lyrics", {1}, [](auto& in, auto&) { return in[0]; }));
    auto macro = node("macro", {0, 1}, [](auto& in, auto&) { return in[1] == -1 ? 1000 + in[0] : in[0] + in[1]; });
    macro.inputs[1].accepts_absent = true;
    plan.nodes.push_back(macro);

    orrery::Context ctx;
    auto r = orrery::run_plan(plan, ctx);
    REQUIRE(r.ok());
    CHECK(r.stage("lyrics").status == StageStatus::skipped);
    CHECK(r.stage("lyrics").message == "condition has_lyrics is false");
    CHECK(r.stage("needs_lyrics").status == StageStatus::skipped);
    CHECK(r.stage("needs_lyrics").message == "input 'lyrics' was skipped");
    CHECK(r.output<int>("macro") == 1007);

    ctx.set_state("has_lyrics", true);
    auto r2 = orrery::run_plan(plan, ctx);
    CHECK(r2.output<int>("macro") == 14);
    CHECK(r2.stage("needs_lyrics").status == StageStatus::succeeded);
}

namespace {
/// A fan-out node over a std::vector<int> input: each element squared; negative elements fail.
PlanNode squares(std::size_t from) {
    PlanNode n;
    n.id = "squares";
    n.stage_type = "square";
    n.inputs.push_back({from, {}, false});
    n.split = [](const StageValue& range, bool) {
        std::vector<StageValue> out;
        for (int v : *range->get<std::vector<int>>()) out.push_back(value(v));
        return out;
    };
    n.gather = [](std::vector<StageValue>&& outs) {
        std::vector<int> v;
        for (auto& o : outs) v.push_back(as_int(o));
        return std::make_shared<orrery::AnyValue>(std::move(v));
    };
    n.count_outputs = [](const orrery::AnyValue& v) { return v.get<std::vector<int>>()->size(); };
    n.run = [](AttemptCall& call) {
        const int v = as_int(call.inputs[0]);
        if (v < 0) return AttemptOutcome::failed({"negative element " + std::to_string(v), "validation"});
        std::this_thread::sleep_for(std::chrono::microseconds(200 * (10 - v % 10)));  // finish out of order
        return AttemptOutcome::of(value(v * v));
    };
    return n;
}
PlanNode range_of(std::vector<int> values) {
    PlanNode n;
    n.id = "range";
    n.stage_type = "range";
    n.run = [values](AttemptCall&) { return AttemptOutcome::of(std::make_shared<orrery::AnyValue>(values)); };
    return n;
}
}  // namespace

TEST_CASE("fan-out gathers results in input order and names failing elements by index") {
    orrery::Context ctx;
    orrery::GraphOptions options;
    options.concurrency = 4;
    GraphPlan ok{"fan", {range_of({1, 2, 3, 4, 5, 6, 7, 8, 9}), squares(0)}};
    auto r = orrery::run_plan(ok, ctx, options);
    REQUIRE(r.ok());
    CHECK(r.output<std::vector<int>>("squares") == std::vector<int>{1, 4, 9, 16, 25, 36, 49, 64, 81});
    CHECK(r.stage("squares").output_count == 9);

    GraphPlan bad{"fan", {range_of({1, -2, 3, -4}), squares(0)}};
    auto f = orrery::run_plan(bad, ctx, options);
    CHECK(f.status == orrery::GraphStatus::failed);
    const auto& s = f.stage("squares");
    CHECK(s.status == StageStatus::failed);
    REQUIRE(s.element_failures.size() == 2);
    CHECK(s.element_failures[0].index == 1);
    CHECK(s.element_failures[1].index == 3);
    CHECK(s.message == "2 of 4 elements failed: [1] negative element -2; [3] negative element -4");
    CHECK(s.category == "validation");
}

TEST_CASE("retries follow the exponential backoff schedule on an injected clock") {
    auto clock = std::make_shared<orrery::ManualClock>();
    std::atomic<int> calls{0};
    PlanNode flaky;
    flaky.id = "download";
    flaky.stage_type = "download";
    flaky.retry.max_attempts = 5;
    flaky.retry.initial_backoff = 100ms;
    flaky.retry.multiplier = 3.0;
    flaky.retry.max_backoff = 1000ms;
    flaky.run = [&](AttemptCall& call) {
        ++calls;
        CHECK(call.attempt == calls.load());
        if (call.attempt < 5) return AttemptOutcome::failed({"connection reset", "network"});
        return AttemptOutcome::of(value(42));
    };
    GraphPlan plan{"retry", {flaky}};
    orrery::Context ctx;
    auto recorder = std::make_shared<EventRecorder>();
    ctx.add_observer(recorder);
    orrery::GraphOptions options;
    options.clock = clock;
    auto r = orrery::run_plan(plan, ctx, options);
    REQUIRE(r.ok());
    CHECK(r.output<int>("download") == 42);
    CHECK(r.stage("download").attempts == 5);
    CHECK(clock->sleeps() == std::vector<orrery::Clock::duration>{100ms, 300ms, 900ms, 1000ms});
    CHECK(recorder->count(orrery::StepEvent::Kind::retry) == 4);
    CHECK(recorder->count(orrery::StepEvent::Kind::attempt) == 5);
}

TEST_CASE("retry_on decides which failures are retried, and jitter stays within its band") {
    orrery::RetryPolicy p;
    p.max_attempts = 3;
    p.retry_on = [](const orrery::StageFailure& f) { return f.category == "network"; };
    CHECK(p.should_retry({"x", "network"}, 1));
    CHECK_FALSE(p.should_retry({"x", "validation"}, 1));
    CHECK_FALSE(p.should_retry({"x", "network"}, 3));
    CHECK_FALSE(p.should_retry({"x", "cancelled"}, 1));
    p.initial_backoff = 1000ms;
    p.max_backoff = 10'000ms;
    p.jitter = 0.2;
    CHECK(orrery::backoff_delay(p, 1, 0.0) == 800ms);
    CHECK(orrery::backoff_delay(p, 1, 0.5) == 1000ms);
    CHECK(orrery::backoff_delay(p, 2, 0.99) == 2392ms);  // 2000 * (1 + 0.2 * 0.98)
    CHECK(orrery::backoff_delay(p, 10, 0.99) == 10'000ms);  // capped after jitter too

    auto clock = std::make_shared<orrery::ManualClock>();
    int calls = 0;
    PlanNode n;
    n.id = "validate";
    n.retry = p;
    n.run = [&](AttemptCall&) {
        ++calls;
        return AttemptOutcome::failed({"schema mismatch", "validation"});
    };
    orrery::Context ctx;
    orrery::GraphOptions options;
    options.clock = clock;
    auto r = orrery::run_plan(GraphPlan{"g", {n}}, ctx, options);
    CHECK(calls == 1);
    CHECK(r.stage("validate").status == StageStatus::failed);
    CHECK(clock->sleeps().empty());
}

TEST_CASE("an attempt over its timeout fails with category timeout and can be retried") {
    auto clock = std::make_shared<orrery::ManualClock>();
    PlanNode slow;
    slow.id = "slow";
    slow.retry.max_attempts = 2;
    slow.retry.initial_backoff = 10ms;
    slow.retry.attempt_timeout = 1000ms;
    slow.run = [&](AttemptCall& call) {
        if (call.attempt == 1) {
            clock->advance(1500ms);  // the first attempt takes too long
            CHECK(call.ctx.cancelled());
            call.ctx.throw_if_cancelled();
        }
        return AttemptOutcome::of(value(1));
    };
    orrery::Context ctx;
    orrery::GraphOptions options;
    options.clock = clock;
    auto r = orrery::run_plan(GraphPlan{"g", {slow}}, ctx, options);
    REQUIRE(r.ok());
    CHECK(r.stage("slow").attempts == 2);

    slow.retry.max_attempts = 1;
    auto f = orrery::run_plan(GraphPlan{"g", {slow}}, ctx, options);
    CHECK(f.stage("slow").status == StageStatus::failed);
    CHECK(f.stage("slow").category == "timeout");
    CHECK(f.stage("slow").message == "attempt 1 exceeded its timeout of 1 s");
}

TEST_CASE("fail-fast cancels what has not started, continue_on_error runs everything not downstream") {
    GraphPlan plan{"policies", {}};
    plan.nodes.push_back(node("a", {}, [](auto&, auto&) { return 1; }));
    plan.nodes.push_back(node("broken", {0}, [](auto&, auto&) -> int { throw orrery::InputError("bad file x.fits"); }));
    plan.nodes.push_back(node("after_broken", {1}, [](auto& in, auto&) { return in[0]; }));
    plan.nodes.push_back(node("independent", {0}, [](auto& in, auto&) { return in[0] + 1; }));
    plan.nodes.push_back(node("later", {3}, [](auto& in, auto&) { return in[0] + 1; }));
    orrery::Context ctx;
    orrery::GraphOptions serial;
    serial.concurrency = 1;  // deterministic: "broken" fails before "later" can start

    auto fast = orrery::run_plan(plan, ctx, serial);
    CHECK(fast.status == orrery::GraphStatus::failed);
    CHECK(fast.stage("broken").status == StageStatus::failed);
    CHECK(fast.stage("broken").category == "input-data");
    CHECK(fast.stage("broken").message == "bad file x.fits");
    CHECK(fast.stage("after_broken").status == StageStatus::cancelled);
    CHECK(fast.failed_stages() == std::vector<std::string>{"broken"});
    CHECK_FALSE(ctx.cancelled());  // the caller's context is untouched

    serial.on_failure = orrery::FailurePolicy::continue_on_error;
    auto cont = orrery::run_plan(plan, ctx, serial);
    CHECK(cont.status == orrery::GraphStatus::degraded);
    CHECK(cont.stage("after_broken").status == StageStatus::skipped);
    CHECK(cont.stage("after_broken").message == "input 'broken' failed");
    CHECK(cont.output<int>("later") == 3);
}

TEST_CASE("an optional stage's failure leaves the run degraded, not failed") {
    GraphPlan plan{"optional", {}};
    plan.nodes.push_back(node("a", {}, [](auto&, auto&) { return 1; }));
    auto extra = node("thumbnails", {0}, [](auto&, auto&) -> int { throw std::runtime_error("no disk"); });
    extra.optional = true;
    plan.nodes.push_back(extra);
    plan.nodes.push_back(node("b", {0}, [](auto& in, auto&) { return in[0] + 1; }));
    orrery::Context ctx;
    auto r = orrery::run_plan(plan, ctx);
    CHECK(r.status == orrery::GraphStatus::degraded);
    CHECK(r.output<int>("b") == 2);
    CHECK(r.stage("thumbnails").category == "exception");
}

TEST_CASE("a stage's result can be a failure or a skip without throwing") {
    PlanNode gate;
    gate.id = "gate";
    gate.run = [](AttemptCall&) { return AttemptOutcome::skip("nothing new to index"); };
    GraphPlan plan{"g", {gate}};
    plan.nodes.push_back(node("after", {0}, [](auto&, auto&) { return 1; }));
    orrery::Context ctx;
    auto r = orrery::run_plan(plan, ctx);
    CHECK(r.ok());
    CHECK(r.stage("gate").status == StageStatus::skipped);
    CHECK(r.stage("gate").message == "nothing new to index");
    CHECK(r.stage("after").status == StageStatus::skipped);
}

TEST_CASE("cancelling the caller's context cancels the stages that have not started") {
    GraphPlan plan{"g", {}};
    orrery::Context ctx;
    plan.nodes.push_back(node("first", {}, [&ctx](auto&, auto& call) {
        ctx.cancel();
        CHECK(call.ctx.cancelled());  // running stages see it
        return 1;
    }));
    plan.nodes.push_back(node("second", {0}, [](auto&, auto&) { return 2; }));
    auto r = orrery::run_plan(plan, ctx);
    CHECK(r.status == orrery::GraphStatus::failed);
    CHECK(r.stage("second").status == StageStatus::cancelled);
    CHECK(r.stage("second").message == "the run was cancelled");
}

TEST_CASE("the graph deadline cancels what has not started") {
    auto clock = std::make_shared<orrery::ManualClock>();
    GraphPlan plan{"g", {}};
    plan.nodes.push_back(node("long", {}, [&](auto&, auto&) {
        clock->advance(5s);
        return 1;
    }));
    plan.nodes.push_back(node("next", {0}, [](auto&, auto&) { return 2; }));
    orrery::Context ctx;
    orrery::GraphOptions options;
    options.clock = clock;
    options.deadline = 2s;
    auto r = orrery::run_plan(plan, ctx, options);
    CHECK(r.status == orrery::GraphStatus::failed);
    CHECK(r.stage("next").status == StageStatus::cancelled);
    CHECK(r.stage("next").message == "the graph's deadline passed");
}

TEST_CASE("malformed plans are refused before anything runs") {
    orrery::Context ctx;
    std::atomic<int> ran{0};
    GraphPlan cycle{"loop", {}};
    cycle.nodes.push_back(node("a", {}, [&](auto&, auto&) { return ++ran; }));
    cycle.nodes.push_back(node("b", {2}, [&](auto&, auto&) { return ++ran; }));
    cycle.nodes.push_back(node("c", {1}, [&](auto&, auto&) { return ++ran; }));
    CHECK_THROWS_WITH(orrery::run_plan(cycle, ctx), "graph 'loop': the stages 'b', 'c' depend on each other in a cycle");
    GraphPlan dup{"dup", {node("a", {}, [&](auto&, auto&) { return ++ran; }), node("a", {}, [&](auto&, auto&) { return ++ran; })}};
    CHECK_THROWS_WITH(orrery::run_plan(dup, ctx), "graph 'dup': two stages have the id 'a'");
    auto bad_retry = node("r", {}, [&](auto&, auto&) { return ++ran; });
    bad_retry.retry.max_attempts = 0;
    CHECK_THROWS_WITH(orrery::run_plan(GraphPlan{"g", {bad_retry}}, ctx), "graph 'g': stage 'r': retry.max_attempts must be at least 1 (is 0)");
    CHECK(ran == 0);
}

TEST_CASE("the state store keeps every concurrent update") {
    GraphPlan plan{"counters", {}};
    constexpr int stages = 16, increments = 500;
    for (int s = 0; s < stages; ++s)
        plan.nodes.push_back(node("s" + std::to_string(s), {}, [](auto&, auto& call) {
            for (int i = 0; i < increments; ++i) call.ctx.template update_state<int>("count", [](int& c) { ++c; });
            call.ctx.set_state("last", 1);
            return 0;
        }));
    orrery::Context ctx;
    orrery::GraphOptions options;
    options.concurrency = 4;
    auto r = orrery::run_plan(plan, ctx, options);
    REQUIRE(r.ok());
    CHECK(ctx.get_state<int>("count") == stages * increments);
    CHECK(ctx.get_state<int>("last") == 1);
}
