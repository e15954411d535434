// Registration: lookup by alias / class name / pkg::alias, duplicate aliases,
// schema introspection, step_list, and hooks.
#include "orrery/orrery.hpp"

#include "../support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

namespace alpha {
struct CleanParams {
    double level = 1.0;
    ORRERY_REFLECT(CleanParams, (level, "Cleaning level", orrery::min(0), orrery::max(5)))
};
struct Clean {
    static constexpr std::string_view name = "clean";
    static constexpr std::string_view class_name = "alpha.clean.CleanStep";
    static constexpr std::string_view description = "Alpha's cleaner";
    static constexpr std::string_view status_key = "clean";
    static constexpr std::array<std::string_view, 2> reference_types{"flat", "bias"};
    using Params = CleanParams;
    static int process(int x, const Params& p, orrery::Context&) { return x + static_cast<int>(p.level); }
};
}  // namespace alpha
namespace beta {
struct Clean {
    static constexpr std::string_view name = "clean";
    static constexpr std::string_view class_name = "beta.steps.CleanStep";
    using Params = orrery::NoParams;
    static int process(int x, const Params&, orrery::Context&) { return x * 10; }
};
struct Twice {
    static constexpr std::string_view name = "twice";
    static constexpr std::string_view class_name = "beta.steps.Twice";
    using Params = orrery::NoParams;
    static int process(int x, const Params&, orrery::Context&) { return 2 * x; }
};
struct Listed {
    static constexpr std::string_view name = "listed";
    using Params = orrery::NoParams;
    static int process(int x, const Params&, orrery::Context&) { return x - 1; }
};
void add_hundred(int& x, orrery::Context&) { x += 100; }
}  // namespace beta

ORRERY_REGISTER_STEP(alpha::Clean)
ORRERY_REGISTER_STEP(beta::Clean)
ORRERY_REGISTER_STEP(beta::Twice)
ORRERY_REGISTER_HOOK("beta.hooks.add_hundred", beta::add_hundred)

struct Quiet : orrery::Context {
    Quiet() { set_logger(std::make_shared<orrery::NullLogger>()); }
};

TEST_CASE("steps are found by class name and pkg::alias; a shared alias is ambiguous") {
    auto& reg = orrery::Registry::instance();
    REQUIRE(reg.find("alpha.clean.CleanStep"));
    CHECK(reg.find("alpha.clean.CleanStep")->description == "Alpha's cleaner");
    CHECK(reg.find("beta::clean")->class_name == "beta.steps.CleanStep");
    CHECK(reg.find("alpha::clean")->class_name == "alpha.clean.CleanStep");
    try {
        (void)reg.find("clean");
        FAIL("no error");
    } catch (const orrery::ConfigError& e) {
        const std::string m = e.what();
        CHECK_THAT(m, Catch::Contains("alpha.clean.CleanStep") && Catch::Contains("beta.steps.CleanStep") &&
                          Catch::Contains("test_registry.cpp:") && Catch::Contains("<package>::clean"));
    }
    CHECK(reg.find("nope") == nullptr);
    CHECK_THROWS_AS(reg.get("nope"), orrery::UsageError);
    CHECK(reg.find("twice")->package == "beta");
}

TEST_CASE("the registry describes parameters, references, types and origin") {
    const auto& info = orrery::Registry::instance().get("alpha::clean");
    CHECK(info.kind == orrery::StepKind::step);
    CHECK(info.status_key == "clean");
    REQUIRE(info.params.size() == 1);
    CHECK(info.params[0].name == "level");
    CHECK(info.params[0].upper == 5.0);
    CHECK(info.reference_types == std::vector<std::string>{"flat", "bias"});
    CHECK(info.input_type_name == "int");
    CHECK_THAT(info.origin, Catch::Contains("test_registry.cpp"));
    const auto builtins = info.builtin_params();
    std::vector<std::string> names;
    for (const auto& b : builtins) names.push_back(b.name);
    for (const char* expected : {"skip", "save_results", "suffix", "output_file", "output_dir", "output_ext", "output_use_model",
                                 "output_use_index", "search_output_file", "input_dir", "pre_hooks", "post_hooks", "override_flat",
                                 "override_bias"})
        CHECK(std::find(names.begin(), names.end(), expected) != names.end());
}

TEST_CASE("a type-erased step is configured and run like the typed one") {
    Quiet ctx;
    auto step = orrery::Registry::instance().create("alpha::clean");
    orrery::ParamNode t = orrery::ParamNode::map();
    t.set("level", orrery::ParamNode::scalar("3", "cli"));
    t.set("override_flat", orrery::ParamNode::scalar("N/A", "cli"));
    step->configure(t);
    CHECK(step->run(orrery::AnyValue(4), ctx).take<int>() == 7);
    const auto params = step->parameters();
    CHECK(params.find("level")->text() == "3.0");
    CHECK(params.find("override_flat")->text() == "N/A");
    CHECK(params.find("override_bias")->is_null());
    CHECK(params.find("skip")->text() == "False");
}

TEST_CASE("step_list registers a fixed set deterministically") {
    using List = orrery::step_list<beta::Listed>;
    static_assert(List::size == 1);
    static_assert(List::contains("listed"));
    CHECK(orrery::Registry::instance().find("listed") == nullptr);
    List::register_all();
    CHECK(orrery::Registry::instance().find("listed") != nullptr);
}

TEST_CASE("hooks: functions, registered steps with arguments, shell commands") {
    Quiet ctx;
    auto p = orrery::pipeline<"hooked">(beta::Twice{});
    orrery::ParamNode t = orrery::ParamNode::map();
    t.set_path("steps.twice.pre_hooks", orrery::ParamNode::scalar("beta.hooks.add_hundred", "cli"));
    t.set_path("steps.twice.post_hooks", orrery::ParamNode::scalar("alpha.clean.CleanStep(level=2)", "cli"));
    p.configure(t);
    CHECK(p.run(1, ctx) == (1 + 100) * 2 + 2);

    const orrery::test::TempDir scratch("orrery_hook");
    const auto marker = scratch / "marker";
    orrery::ParamNode s = orrery::ParamNode::map();
    s.set_path("steps.twice.pre_hooks", orrery::ParamNode::list({}, "cli"));
    s.set_path("steps.twice.post_hooks", orrery::ParamNode::scalar("touch " + marker.string(), "cli"));
    p.configure(s);
    CHECK(p.run(1, ctx) == 2);
    CHECK(std::filesystem::exists(marker));

    orrery::ParamNode bad = orrery::ParamNode::map();
    bad.set_path("steps.twice.post_hooks", orrery::ParamNode::scalar("false", "cli"));
    p.configure(bad);
    CHECK_THROWS_WITH(p.run(1, ctx), Catch::Contains("post hook command 'false' exited with status"));
}
