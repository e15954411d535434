// Reference lifetime (Context::reference_run, ReferenceRetention): with until_last_use a
// reference type is released once no later step of the run declares it, and everything at
// the end of the run; keep holds them for the context's life. Static and dynamic pipelines
// and a step run on its own behave alike; a failing run still releases.
#include "orrery/orrery.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

namespace life {

/// What each step saw held when it ran ("step:a,b").
struct Trace {
    std::vector<std::string> seen;
};

/// A stand-in for a reference cache: each step "loads" the types it declares.
struct Holder final : orrery::ReferenceHolder {
    std::set<std::string> held;
    std::vector<std::string> released;  // in order; "*" = everything
    void release_references(std::string_view reftype) override {
        if (reftype.empty()) {
            if (!held.empty()) released.emplace_back("*");
            held.clear();
        } else if (held.erase(std::string(reftype))) {
            released.emplace_back(reftype);
        }
    }
};
Holder& holder(orrery::Context& ctx) { return ctx.state<Holder>("test.holder"); }

template <class S>
Trace load_and_record(Trace t, orrery::Context& ctx) {
    auto& h = holder(ctx);
    for (auto r : S::reference_types) h.held.insert(std::string(r));
    std::string line = std::string(S::name) + ":";
    bool first = true;
    for (const auto& r : h.held) {
        line += (first ? "" : ",") + r;
        first = false;
    }
    t.seen.push_back(line);
    return t;
}

struct UseA {
    static constexpr std::string_view name = "use_a";
    static constexpr std::array<std::string_view, 1> reference_types{"a"};
    using Params = orrery::NoParams;
    static Trace process(Trace t, const Params&, orrery::Context& ctx) { return load_and_record<UseA>(std::move(t), ctx); }
};
struct UseAB {
    static constexpr std::string_view name = "use_ab";
    static constexpr std::array<std::string_view, 2> reference_types{"a", "b"};
    using Params = orrery::NoParams;
    static Trace process(Trace t, const Params&, orrery::Context& ctx) { return load_and_record<UseAB>(std::move(t), ctx); }
};
struct UseB {
    static constexpr std::string_view name = "use_b";
    static constexpr std::array<std::string_view, 1> reference_types{"b"};
    using Params = orrery::NoParams;
    static Trace process(Trace t, const Params&, orrery::Context& ctx) { return load_and_record<UseB>(std::move(t), ctx); }
};
struct UseC {
    static constexpr std::string_view name = "use_c";
    static constexpr std::array<std::string_view, 1> reference_types{"c"};
    using Params = orrery::NoParams;
    static Trace process(Trace t, const Params&, orrery::Context& ctx) { return load_and_record<UseC>(std::move(t), ctx); }
};
struct Boom {
    static constexpr std::string_view name = "boom";
    using Params = orrery::NoParams;
    static Trace process(Trace, const Params&, orrery::Context&) { throw std::runtime_error("boom"); }
};

}  // namespace life

ORRERY_REGISTER_STEP(life::UseA)
ORRERY_REGISTER_STEP(life::UseAB)
ORRERY_REGISTER_STEP(life::UseB)
ORRERY_REGISTER_STEP(life::UseC)
ORRERY_REGISTER_STEP(life::Boom)

namespace {
struct QuietContext : orrery::Context {
    QuietContext() { set_logger(std::make_shared<orrery::NullLogger>()); }
};
using Seen = std::vector<std::string>;
}  // namespace

TEST_CASE("until_last_use releases each reference type after the last step that declares it") {
    QuietContext ctx;
    CHECK(ctx.reference_retention() == orrery::ReferenceRetention::until_last_use);
    auto p = orrery::pipeline<"life">(life::UseA{}, life::UseAB{}, life::UseC{}, life::UseB{});
    const life::Trace t = p.run({}, ctx);
    // a: last declared by use_ab -> gone before use_c; b: kept for use_b; c: gone after use_c.
    CHECK(t.seen == Seen{"use_a:a", "use_ab:a,b", "use_c:b,c", "use_b:b"});
    CHECK(life::holder(ctx).released == Seen{"a", "c", "b"});
    CHECK(life::holder(ctx).held.empty());
}

TEST_CASE("keep holds references for the context's life") {
    QuietContext ctx;
    ctx.set_reference_retention(orrery::ReferenceRetention::keep);
    auto p = orrery::pipeline<"life">(life::UseA{}, life::UseC{}, life::UseB{});
    const life::Trace t = p.run({}, ctx);
    CHECK(t.seen == Seen{"use_a:a", "use_c:a,c", "use_b:a,b,c"});
    CHECK(life::holder(ctx).released.empty());
    (void)p.run({}, ctx);
    CHECK(life::holder(ctx).held == std::set<std::string>{"a", "b", "c"});
    ctx.release_references();
    CHECK(life::holder(ctx).held.empty());
}

TEST_CASE("a skipped step uses up its share; a step on its own releases after itself") {
    QuietContext ctx;
    auto p = orrery::pipeline<"life">(life::UseA{}, life::UseC{}, life::UseAB{}, life::UseB{});
    p.configure([] {
        auto t = orrery::ParamNode::map();
        t.set_path("steps.use_ab.skip", orrery::ParamNode::scalar("true", "test"));
        return t;
    }());
    const life::Trace t = p.run({}, ctx);
    CHECK(t.seen == Seen{"use_a:a", "use_c:a,c", "use_b:b"});  // a released when the skipped use_ab ended

    orrery::StepConfig<life::UseC> cfg;
    const life::Trace u = orrery::run_step<life::UseC>(cfg, {}, ctx);
    CHECK(u.seen == Seen{"use_c:c"});
    CHECK(life::holder(ctx).held.empty());
}

TEST_CASE("the dynamic pipeline releases like the static one") {
    QuietContext ctx;
    auto d = orrery::DynamicPipeline::from_names({"use_a", "use_ab", "use_c", "use_b"});
    const auto t = d.run_as<life::Trace>(life::Trace{}, ctx);
    CHECK(t.seen == Seen{"use_a:a", "use_ab:a,b", "use_c:b,c", "use_b:b"});
    CHECK(life::holder(ctx).held.empty());
}

TEST_CASE("a failing run releases everything") {
    QuietContext ctx;
    auto p = orrery::pipeline<"life">(life::UseA{}, life::UseB{}, life::Boom{}, life::UseA{});
    CHECK_THROWS(p.run({}, ctx));
    CHECK(life::holder(ctx).held.empty());
    // The next run starts afresh (its own announcement).
    auto q = orrery::pipeline<"life">(life::UseA{}, life::UseB{});
    CHECK(q.run({}, ctx).seen == Seen{"use_a:a", "use_b:b"});
}
