// Static and dynamic pipelines: running, configuring, skipping, branching,
// status recording, saving, observers — and that both paths agree.
#include "orrery/orrery.hpp"
#include "orrery/stpipe/reference_directory.hpp"

#include "../support/event_recorder.hpp"
#include "../support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace demo {

struct Series {
    std::vector<double> values;
    std::map<std::string, std::string> status;  // what product_traits records
    std::vector<std::string> refs;
    friend bool operator==(const Series& a, const Series& b) { return a.values == b.values && a.status == b.status; }
};
struct Total {
    double sum = 0;
    std::map<std::string, std::string> status;
};

struct ScaleParams {
    double factor = 2.0;
    ORRERY_REFLECT(ScaleParams, (factor, "Multiply every value by this", orrery::min(0)))
};
struct Scale {
    static constexpr std::string_view name = "scale";
    static constexpr std::string_view class_name = "demo.scale.ScaleStep";
    static constexpr std::string_view status_key = "scale";
    using Params = ScaleParams;
    static Series process(Series s, const Params& p, orrery::Context&) {
        for (auto& v : s.values) v *= p.factor;
        return s;
    }
};
struct OffsetParams {
    double offset = 1.0;
    ORRERY_REFLECT(OffsetParams, (offset, "Add this to every value"))
};
struct Offset {
    static constexpr std::string_view name = "offset";
    static constexpr std::string_view class_name = "demo.offset.OffsetStep";
    static constexpr std::string_view status_key = "offset";
    static constexpr std::array<std::string_view, 1> reference_types{"table"};
    using Params = OffsetParams;
    static Series process(Series s, const Params& p, orrery::Context& ctx) {
        auto ref = ctx.resolve_reference("table");
        if (ref.not_applicable) {
            ctx.skip_step("no table reference");
            return s;
        }
        for (auto& v : s.values) v += p.offset;
        return s;
    }
};
struct Negate {
    static constexpr std::string_view name = "negate";
    static constexpr std::string_view class_name = "demo.negate.NegateStep";
    static constexpr bool default_skip = true;
    using Params = orrery::NoParams;
    static Series process(Series s, const Params&, orrery::Context&) {
        for (auto& v : s.values) v = -v;
        return s;
    }
};
struct Sum {
    static constexpr std::string_view name = "sum";
    static constexpr std::string_view class_name = "demo.sum.SumStep";
    static constexpr std::string_view status_key = "sum";
    using Params = orrery::NoParams;
    static Total process(const Series& s, const Params&, orrery::Context&) {
        Total t;
        for (double v : s.values) t.sum += v;
        t.status = s.status;
        return t;
    }
};
struct Fail {
    static constexpr std::string_view name = "fail";
    using Params = orrery::NoParams;
    static Series process(Series, const Params&, orrery::Context&) { throw std::runtime_error("boom"); }
};

struct DemoPipeline {
    static constexpr std::string_view name = "demo_pipe";
    static constexpr std::string_view class_name = "demo.pipeline.DemoPipeline";
    struct Params {
        bool save_middle = false;
        ORRERY_REFLECT(Params, (save_middle, "Record the middle values"))
    };
    static auto chain() {
        return orrery::chain(Scale{},
                             orrery::tap<Series>([](Series& s, const Params& p, orrery::Context&) {
                                 if (p.save_middle) s.status["middle"] = "seen";
                             }),
                             Offset{}, Negate{}, Sum{});
    }
};

/// Children listed in an order of their own (as stpipe's step_defs), not the run order.
struct ListedPipeline {
    static constexpr std::string_view name = "listed_pipe";
    using Params = orrery::NoParams;
    static constexpr std::array<std::string_view, 3> step_order{"sum", "scale", "negate"};
    static bool is_short(const Series& s, orrery::Context&) { return s.values.size() < 3; }
    static auto chain() { return orrery::chain(orrery::branch("short", &is_short, orrery::chain(Negate{}, Scale{}), orrery::chain(Scale{})), Sum{}); }
};
/// A step_order that forgets a child.
struct MislistedPipeline {
    static constexpr std::string_view name = "mislisted_pipe";
    using Params = orrery::NoParams;
    static constexpr std::array<std::string_view, 2> step_order{"scale", "sum"};
    static auto chain() { return orrery::chain(Scale{}, Negate{}, Sum{}); }
};

}  // namespace demo

template <>
struct orrery::product_traits<demo::Series> {
    static constexpr bool saveable = true;
    static constexpr bool loadable = false;
    static std::vector<std::filesystem::path> save(const demo::Series& s, const OutputNamer& namer, std::string_view suffix) {
        auto p = namer.path(suffix);
        if (!p.parent_path().empty()) std::filesystem::create_directories(p.parent_path());
        std::ofstream out(p);
        for (double v : s.values) out << v << "\n";
        return {p};
    }
    static void record_status(demo::Series& s, std::string_view key, StepStatus st) { s.status[std::string(key)] = status_text(st); }
    static void record_reference(demo::Series& s, std::string_view type, std::string_view path) {
        s.refs.push_back(std::string(type) + "=" + std::string(path));
    }
    static std::string filename(const demo::Series&) { return {}; }
};

ORRERY_REGISTER_STEP(demo::Scale)
ORRERY_REGISTER_STEP(demo::Offset)
ORRERY_REGISTER_STEP(demo::Negate)
ORRERY_REGISTER_STEP(demo::Sum)
ORRERY_REGISTER_STEP(demo::Fail)
ORRERY_REGISTER_PIPELINE(demo::DemoPipeline)

using orrery::ParamNode;

namespace {
struct QuietContext : orrery::Context {
    QuietContext() { set_logger(std::make_shared<orrery::NullLogger>()); }
};
ParamNode tree(std::initializer_list<std::pair<const char*, const char*>> kv) {
    ParamNode t = ParamNode::map();
    for (auto [k, v] : kv) t.set_path(k, ParamNode::scalar(v, "test"));
    return t;
}
using Recorder = orrery::test::EventRecorder;
}  // namespace

TEST_CASE("a static pipeline runs its steps in order with their parameters") {
    QuietContext ctx;
    orrery::stpipe::use_reference_dir(ctx, ORRERY_TEST_DATA_DIR "/core_refs");
    auto p = orrery::make_pipeline<demo::DemoPipeline>();
    p.step<demo::Offset>().overrides["table"] = ORRERY_TEST_DATA_DIR "/core_refs/table.fits";
    const demo::Total t = p.run(demo::Series{{1, 2, 3}, {}, {}}, ctx);
    // (1+2+3)*2 + 3*1 = 15; negate is skipped by default
    CHECK(t.sum == 15.0);
    CHECK(t.status.at("scale") == "COMPLETE");
    CHECK(t.status.at("offset") == "COMPLETE");
    CHECK(t.status.count("negate") == 0);  // negate has no status key

    p.configure(tree({{"steps.scale.factor", "3"}, {"steps.negate.skip", "False"}, {"save_middle", "true"}}));
    const demo::Total u = p.run(demo::Series{{1, 2, 3}, {}, {}}, ctx);
    CHECK(u.sum == -21.0);
    CHECK(u.status.at("middle") == "seen");
}

TEST_CASE("override N/A makes a step report SKIPPED") {
    QuietContext ctx;
    auto p = orrery::make_pipeline<demo::DemoPipeline>();
    p.configure(tree({{"steps.offset.override_table", "N/A"}}));
    const demo::Total t = p.run(demo::Series{{1, 2}, {}, {}}, ctx);
    CHECK(t.sum == 6.0);
    CHECK(t.status.at("offset") == "SKIPPED");
}

TEST_CASE("a missing reference is an input error naming the step and reference type") {
    QuietContext ctx;
    auto p = orrery::make_pipeline<demo::DemoPipeline>();
    try {
        p.run(demo::Series{{1}, {}, {}}, ctx);
        FAIL("no error");
    } catch (const orrery::Error& e) {
        CHECK(e.category() == orrery::ErrorCategory::input_data);
        CHECK_THAT(e.what(), Catch::Contains("step 'offset'") && Catch::Contains("'table' reference"));
    }
}

TEST_CASE("unknown parameters and steps are errors naming the key and its source") {
    auto p = orrery::make_pipeline<demo::DemoPipeline>();
    CHECK_THROWS_WITH(p.configure(tree({{"steps.scale.fator", "3"}})),
                      "parameter 'steps.scale.fator' (from test): unknown parameter for step 'scale' (did you mean 'factor'?)");
    CHECK_THROWS_WITH(p.configure(tree({{"steps.jump.x", "3"}})),
                      Catch::StartsWith("parameter 'steps.jump' (from test): pipeline 'demo_pipe' has no step 'jump'"));
    CHECK_THROWS_WITH(p.configure(tree({{"steps.scale.factor", "-1"}})), Catch::Contains("below the minimum"));
    CHECK_THROWS_WITH(p.configure(tree({{"bogus", "1"}})), Catch::Contains("unknown parameter for pipeline 'demo_pipe'"));
}

TEST_CASE("a type-changing step cannot be skipped") {
    QuietContext ctx;
    auto p = orrery::pipeline<"two">(demo::Scale{}, demo::Sum{});
    p.configure(tree({{"steps.sum.skip", "true"}}));
    CHECK_THROWS_AS(p.run(demo::Series{{1}, {}, {}}, ctx), orrery::ConfigError);
}

TEST_CASE("a step's exception becomes a step error with the step named") {
    QuietContext ctx;
    auto p = orrery::pipeline<"f">(demo::Scale{}, demo::Fail{});
    try {
        p.run(demo::Series{{1}, {}, {}}, ctx);
        FAIL("no error");
    } catch (const orrery::Error& e) {
        CHECK(e.category() == orrery::ErrorCategory::step_failed);
        CHECK(std::string(e.what()) == "step 'fail': boom");
        CHECK(orrery::exit_code(e.category()) == 1);
    }
}

TEST_CASE("a branch picks one of two type-checked sub-chains at run time") {
    QuietContext ctx;
    auto p = orrery::pipeline<"branchy">(
        demo::Scale{},
        orrery::branch("short", [](const demo::Series& s, orrery::Context&) { return s.values.size() < 3; },
                       orrery::chain(demo::Negate{}), orrery::chain(demo::Scale{})),
        demo::Sum{});
    p.configure(tree({{"steps.negate.skip", "false"}}));
    CHECK(p.run(demo::Series{{1, 1}, {}, {}}, ctx).sum == -4.0);       // scale, negate
    CHECK(p.run(demo::Series{{1, 1, 1}, {}, {}}, ctx).sum == 12.0);    // scale, scale
}

TEST_CASE("a definition's step_order lists the children, each once; they run in chain order") {
    QuietContext ctx;
    auto p = orrery::make_pipeline<demo::ListedPipeline>();
    CHECK(p.aliases() == std::vector<std::string>{"sum", "scale", "negate"});
    CHECK(p.run_order() == std::vector<std::string>{"negate", "scale", "sum"});  // scale is on both sides: one child
    std::vector<std::string> listed;
    const ParamNode values = p.parameters();
    for (const auto& child : values.find("steps")->children()) listed.push_back(child.first);
    CHECK(listed == p.aliases());
    p.configure(tree({{"steps.scale.factor", "3"}, {"steps.negate.skip", "false"}}));  // both sides' scale
    CHECK(p.run(demo::Series{{1, 1}, {}, {}}, ctx).sum == -6.0);    // negate, scale
    CHECK(p.run(demo::Series{{1, 1, 1}, {}, {}}, ctx).sum == 9.0);  // scale
    CHECK_THROWS_MATCHES(orrery::make_pipeline<demo::MislistedPipeline>(), orrery::ConfigError,
                         Catch::Message("pipeline 'mislisted_pipe': step_order must name each of its steps once (its steps: scale, negate, sum)"));
}

TEST_CASE("the dynamic pipeline gives the same results as the static one") {
    QuietContext ctx;
    orrery::stpipe::use_reference_dir(ctx, ORRERY_TEST_DATA_DIR "/core_refs");
    auto config = tree({{"steps.scale.factor", "1.5"}, {"steps.offset.offset", "-2"}, {"steps.negate.skip", "false"}});

    auto stat = orrery::pipeline<"dyn">(demo::Scale{}, demo::Offset{}, demo::Negate{}, demo::Sum{});
    stat.configure(config);
    auto dyn = orrery::DynamicPipeline::from_names({"scale", "demo.offset.OffsetStep", "demo::negate", "sum"}, "dyn");
    dyn.configure(config);

    const demo::Series input{{0.5, 7, -3, 1e6}, {}, {}};
    const demo::Total a = stat.run(input, ctx);
    const demo::Total b = dyn.run_as<demo::Total>(input, ctx);
    CHECK(a.sum == b.sum);
    CHECK(a.status == b.status);

    auto registered = orrery::Registry::instance().create("demo_pipe");
    registered->configure(config);
    const auto c = registered->run(orrery::AnyValue(input), ctx).take<demo::Total>();
    auto typed = orrery::make_pipeline<demo::DemoPipeline>();
    typed.configure(config);
    CHECK(c.sum == typed.run(input, ctx).sum);
}

TEST_CASE("the dynamic pipeline checks types when it is built") {
    CHECK_THROWS_WITH(orrery::DynamicPipeline::from_names({"sum", "scale"}),
                      Catch::Contains("step 'sum' outputs demo::Total but step 'scale' takes demo::Series"));
    CHECK_THROWS_AS(orrery::DynamicPipeline::from_names({"scale", "nonexistent"}), orrery::UsageError);
}

TEST_CASE("observers see start, finish and skip events with positions") {
    QuietContext ctx;
    orrery::stpipe::use_reference_dir(ctx, ORRERY_TEST_DATA_DIR "/core_refs");
    auto rec = std::make_shared<Recorder>();
    ctx.add_observer(rec);
    auto p = orrery::make_pipeline<demo::DemoPipeline>();
    p.run(demo::Series{{1}, {}, {}}, ctx);
    CHECK(rec->lines == std::vector<std::string>{"start scale 1/4", "finish scale 1/4", "start offset 2/4", "finish offset 2/4",
                                                 "start negate 3/4", "skip negate 3/4", "start sum 4/4", "finish sum 4/4"});
}

TEST_CASE("save_results writes <root>_<alias> in output_dir") {
    QuietContext ctx;
    const orrery::test::TempDir scratch("orrery_test_save");
    const auto dir = scratch / "out";
    ctx.set_input_filename("/data/jw0001_uncal.fits");
    orrery::add_known_suffix("uncal");
    auto p = orrery::pipeline<"s">(demo::Scale{}, demo::Sum{});
    p.configure(tree({{"steps.scale.save_results", "true"}, {"output_dir", dir.c_str()}}));
    p.run(demo::Series{{1, 2}, {}, {}}, ctx);
    CHECK(std::filesystem::exists(dir / "jw0001_scale.fits"));
}

// ---- output names: stpipe's rules ---------------------------------------------------

namespace demo {
/// A pipeline that names its product itself (as jwst's calwebb_detector1 does: "rate").
struct NamingPipeline {
    static constexpr std::string_view name = "naming_pipe";
    static constexpr std::string_view class_name = "demo.pipeline.NamingPipeline";
    static constexpr std::string_view suffix = "scaled";
    using Params = orrery::NoParams;
    static auto chain() { return orrery::chain(Scale{}); }
};
/// One that does not: its suffix parameter, else its name lower-cased.
struct PlainPipeline {
    static constexpr std::string_view name = "plain_pipe";
    static constexpr std::string_view class_name = "demo.pipeline.PlainPipeline";
    using Params = orrery::NoParams;
    static auto chain() { return orrery::chain(Scale{}); }
};
}  // namespace demo

namespace {
struct WarningsContext : orrery::Context {
    struct Collect final : orrery::Logger {
        std::vector<std::string> warnings;
        void log(orrery::LogLevel level, std::string_view, std::string_view message) override {
            if (level == orrery::LogLevel::warning) warnings.emplace_back(message);
        }
    };
    std::shared_ptr<Collect> log = std::make_shared<Collect>();
    WarningsContext() { set_logger(log); }
};
std::string file_name(const std::filesystem::path& p) { return p.filename().string(); }
}  // namespace

TEST_CASE("known suffixes: a package's declared list is complete; other steps strip every registered name") {
    static constexpr std::array<std::string_view, 2> declared{"fancy", "two-part"};
    orrery::declare_known_suffixes("namingpkg", declared);
    using orrery::remove_known_suffix;
    // Registered steps give their alias and their class name lower-cased.
    CHECK(remove_known_suffix("x_scale", "demo").root == "x");
    CHECK(remove_known_suffix("x_scalestep", "demo").root == "x");
    CHECK(remove_known_suffix("x_namingpipeline", "demo").root == "x");
    CHECK(remove_known_suffix("x_fancy", "demo").root == "x_fancy");
    // A declared list replaces them for its package.
    CHECK(remove_known_suffix("x_fancy", "namingpkg").root == "x");
    CHECK(remove_known_suffix("x-two-part", "namingpkg").separator == "-");
    CHECK(remove_known_suffix("x_scalestep", "namingpkg").root == "x_scalestep");
    // Without a package, any of them; one suffix is stripped, once.
    CHECK(remove_known_suffix("x_fancy").root == "x");
    CHECK(remove_known_suffix("x_scalestep").root == "x");
    CHECK(remove_known_suffix("a_scale_scale", "demo").root == "a_scale");
    CHECK(remove_known_suffix("scale", "demo").root == "scale");
}

TEST_CASE("output names: output_file, the pipeline's output_file, output_use_model, search_output_file, indices") {
    using orrery::product_output_namer;
    orrery::StepSettings s;
    s.output_ext = ".fits";
    orrery::RunInfo run;
    run.input_filename = "/data/jw01_sum.fits";
    const std::string product_file = "model_sum.fits";
    auto name = [&](std::size_t index) {
        const auto namer = product_output_namer(s, run, product_file, "scale", "demo");
        return namer.path("scale", namer.index(index)).string();
    };
    CHECK(name(0) == "jw01_0_scale.fits");  // the input's name, less its suffix
    run.output_file = "stage1";
    CHECK(name(1) == "stage1_1_scale.fits");  // the pipeline's output_file (search_output_file)
    s.output_file = "mine_offset.txt";
    CHECK(name(0) == "mine_0_scale.fits");  // its own output_file, with its output_ext
    s.output_use_model = true;
    CHECK(name(1) == "model_scale.fits");  // the product's own file name, and no index
    s.output_use_model = false;
    s.output_file.reset();
    s.search_output_file = false;
    CHECK(name(0) == "model_scale.fits");  // no output_file of its own and no search: the product's
    s.search_output_file = true;
    run.output_dir = "pipe_out";
    CHECK(name(0) == "pipe_out/stage1_0_scale.fits");
    s.output_dir = "own_out";
    CHECK(name(0) == "own_out/stage1_0_scale.fits");
    s.output_ext.clear();
    run.output_file.clear();
    CHECK(name(0) == "own_out/jw01_0_scale.fits");  // no output_ext: the input's extension
}

TEST_CASE("a step run on its own saves as <root>_<its name lower-cased>: the class name's, or a parameter file's") {
    QuietContext ctx;
    const orrery::test::TempDir scratch("orrery_test_save");
    ctx.set_input_filename((scratch / "jw02_offset.fits").string());
    auto step = orrery::Registry::instance().create("scale");
    step->configure(tree({{"save_results", "true"}, {"output_dir", (scratch / "out").c_str()}}));
    auto files = [&] {
        std::set<std::string> names;
        for (const auto& e : std::filesystem::directory_iterator(scratch / "out")) names.insert(file_name(e.path()));
        std::filesystem::remove_all(scratch / "out");
        return names;
    };
    step->run(orrery::AnyValue(demo::Series{{1}, {}, {}}), ctx);
    CHECK(files() == std::set<std::string>{"jw02_scalestep.fits"});
    step->set_name("Scaler");
    step->run(orrery::AnyValue(demo::Series{{1}, {}, {}}), ctx);
    CHECK(files() == std::set<std::string>{"jw02_scaler.fits"});
    ParamNode null_suffix = ParamNode::map();
    null_suffix.set("suffix", ParamNode::null());
    step->configure(null_suffix);  // suffix: null, as jwst writes it: the default
    step->run(orrery::AnyValue(demo::Series{{1}, {}, {}}), ctx);
    CHECK(files() == std::set<std::string>{"jw02_scaler.fits"});
    step->configure(tree({{"suffix", "doubled"}}));
    step->run(orrery::AnyValue(demo::Series{{1}, {}, {}}), ctx);
    CHECK(files() == std::set<std::string>{"jw02_doubled.fits"});
}

TEST_CASE("a child's output_file saves it (stpipe implies save_results): <output_file root>_<alias>") {
    QuietContext ctx;
    const orrery::test::TempDir scratch("orrery_test_save");
    const auto dir = scratch / "out";
    ctx.set_input_filename("/data/jw03_sum.fits");
    auto p = orrery::pipeline<"s">(demo::Scale{}, demo::Offset{}, demo::Sum{});
    orrery::stpipe::use_reference_dir(ctx, ORRERY_TEST_DATA_DIR "/core_refs");
    p.configure(tree({{"steps.scale.output_file", "mine.txt"}, {"steps.offset.save_results", "true"}, {"output_dir", dir.c_str()},
                      {"output_file", "stage1.dat"}}));
    p.run(demo::Series{{1, 2}, {}, {}}, ctx);
    CHECK(std::filesystem::exists(dir / "mine_scale.txt"));     // its file's extension: Series declares none
    CHECK(std::filesystem::exists(dir / "stage1_offset.dat"));  // the pipeline's output_file
    CHECK(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator{}) == 2);
}

TEST_CASE("a pipeline's product: the suffix it names it with, else its suffix parameter, else its name lower-cased") {
    WarningsContext ctx;
    const orrery::test::TempDir scratch("orrery_test_save");
    ctx.set_input_filename("/data/jw04_scale.fits");
    auto saved = [&](orrery::AnyStep& pipeline) {
        pipeline.configure(tree({{"output_dir", scratch.path().c_str()}}));
        const orrery::AnyValue result = pipeline.run(orrery::AnyValue(demo::Series{{1}, {}, {}}), ctx);
        std::vector<std::string> names;
        for (const auto& p : orrery::save_pipeline_product(pipeline, result, ctx)) names.push_back(file_name(p));
        return names;
    };
    orrery::PipelineModel<demo::NamingPipeline> naming;
    CHECK(saved(naming) == std::vector<std::string>{"jw04_scaled.fits"});
    ParamNode null_suffix = ParamNode::map();
    null_suffix.set("suffix", ParamNode::null());
    naming.configure(null_suffix);
    CHECK(saved(naming) == std::vector<std::string>{"jw04_scaled.fits"});
    CHECK(ctx.log->warnings.empty());
    naming.configure(tree({{"suffix", "other"}}));
    CHECK(saved(naming) == std::vector<std::string>{"jw04_scaled.fits"});  // as jwst: the pipeline's own wins
    REQUIRE(ctx.log->warnings.size() == 1);
    CHECK(ctx.log->warnings[0] == "suffix 'other' is not used: naming_pipe names its product with 'scaled'");

    orrery::PipelineModel<demo::PlainPipeline> plain;
    CHECK(saved(plain) == std::vector<std::string>{"jw04_plainpipeline.fits"});
    plain.set_name("FromFile");
    CHECK(saved(plain) == std::vector<std::string>{"jw04_fromfile.fits"});
    plain.configure(tree({{"suffix", "mine"}}));
    CHECK(saved(plain) == std::vector<std::string>{"jw04_mine.fits"});
}
