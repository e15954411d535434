// Row steps: the process the framework derives from prepare / process_rows / finish, and
// fusion as the pipeline definition states it (orrery::fused, "a+b" in dynamic pipelines),
// with its fallback to step by step when a step needs its whole output (save_results, hooks).
#include "orrery/orrery.hpp"
#include "orrery/parallel/tbb_parallel_for.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <map>
#include <string>
#include <vector>

#include "../support/event_recorder.hpp"
#include "../support/temp_dir.hpp"

namespace rows {

/// Rows of 4 values; `log` records what the steps did, in order.
struct Grid {
    std::vector<int> v;
    std::map<std::string, std::string> status;
    std::vector<std::string> log;  // written by prepare and finish only (never concurrently)
    void note(std::string s) { log.push_back(std::move(s)); }
};

struct AddParams {
    int add = 1;
    ORRERY_REFLECT(AddParams, (add, "Added to every value"))
};
/// v += add; finish records the sum of the values.
struct Add {
    static constexpr std::string_view name = "rows_add";
    static constexpr std::string_view status_key = "add";
    using Params = AddParams;
    struct RowState {
        int add = 0;
    };
    static RowState prepare(Grid& g, const Params& p, orrery::Context&) {
        g.note("prepare add");
        return {p.add};
    }
    static void process_rows(Grid& g, const RowState& s, const Params&, std::size_t r0, std::size_t r1) {
        for (std::size_t k = r0 * 4; k < r1 * 4; ++k) g.v[k] += s.add;
    }
    static void finish(Grid& g, RowState&, const Params&, orrery::Context&) { g.note("finish add"); }
};
/// v *= 3, or skipped (prepare says so) when the grid is empty.
struct Triple {
    static constexpr std::string_view name = "rows_triple";
    static constexpr std::string_view status_key = "triple";
    using Params = orrery::NoParams;
    struct RowState {};
    static RowState prepare(Grid& g, const Params&, orrery::Context& ctx) {
        g.note("prepare triple");
        if (g.v.empty()) ctx.skip_step("nothing to triple");
        return {};
    }
    static void process_rows(Grid& g, const RowState&, const Params&, std::size_t r0, std::size_t r1) {
        for (std::size_t k = r0 * 4; k < r1 * 4; ++k) g.v[k] *= 3;
    }
};

}  // namespace rows

template <>
struct orrery::product_traits<rows::Grid> {
    static constexpr bool saveable = true;
    static constexpr bool loadable = false;
    static std::size_t rows(const rows::Grid& g) { return g.v.size() / 4; }
    static std::size_t row_bytes(const rows::Grid&) { return 16 * 1024; }  // 8 rows a block: many blocks
    static std::vector<std::filesystem::path> save(const rows::Grid& g, const OutputNamer& namer, std::string_view suffix) {
        auto p = namer.path(suffix);
        std::filesystem::create_directories(p.parent_path());
        std::ofstream out(p);
        for (int x : g.v) out << x << "\n";
        return {p};
    }
    static void record_status(rows::Grid& g, std::string_view key, StepStatus st) { g.status[std::string(key)] = status_text(st); }
    static void record_reference(rows::Grid&, std::string_view, std::string_view) {}
    static std::string filename(const rows::Grid&) { return {}; }
};

ORRERY_REGISTER_STEP(rows::Add)
ORRERY_REGISTER_STEP(rows::Triple)

namespace {

struct Quiet : orrery::Context {
    explicit Quiet(int threads = 1) {
        set_logger(std::make_shared<orrery::NullLogger>());
        set_max_threads(threads);
        if (threads > 1) orrery::use_tbb(*this);
    }
};

rows::Grid grid(std::size_t n_rows) {
    rows::Grid g;
    for (std::size_t k = 0; k < n_rows * 4; ++k) g.v.push_back(static_cast<int>(k % 7));
    return g;
}

std::vector<int> expected(const rows::Grid& g, int add) {
    std::vector<int> out;
    for (int x : g.v) out.push_back((x + add) * 3);
    return out;
}

using Recorder = orrery::test::EventRecorder;

}  // namespace

static_assert(orrery::RowStep<rows::Add> && orrery::RowStep<rows::Triple>);
static_assert(std::is_same_v<orrery::step_output_t<rows::Add>, rows::Grid>);
using FusedChain = decltype(orrery::chain(orrery::fused(rows::Add{}, rows::Triple{})));
static_assert(FusedChain::step_count == 2 && std::is_same_v<FusedChain::input, rows::Grid>);

TEST_CASE("a row step's derived process: prepare, every row block, finish") {
    for (int threads : {1, 3}) {
        Quiet ctx(threads);
        const rows::Grid in = grid(100);
        rows::Grid out = orrery::step_process<rows::Add>(in, rows::AddParams{5}, ctx);
        std::vector<int> want;
        for (int x : in.v) want.push_back(x + 5);
        CHECK(out.v == want);
        CHECK(out.log == std::vector<std::string>{"prepare add", "finish add"});
    }
    // A prepare that skips: no rows, no finish, status SKIPPED through the runner.
    Quiet ctx;
    orrery::StepConfig<rows::Triple> cfg;
    rows::Grid empty;
    const rows::Grid out = orrery::run_step<rows::Triple>(cfg, empty, ctx);
    CHECK(out.status.at("triple") == "SKIPPED");
}

TEST_CASE("fused row steps give the step-by-step result, with every step's events in order") {
    const rows::Grid in = grid(101);  // not a whole number of blocks
    for (int threads : {1, 3}) {
        Quiet ctx(threads);
        auto rec = std::make_shared<Recorder>();
        ctx.add_observer(rec);
        auto fused = orrery::pipeline<"f">(orrery::fused(rows::Add{}, rows::Triple{}));
        auto plain = orrery::pipeline<"p">(rows::Add{}, rows::Triple{});
        const rows::Grid a = fused.run(in, ctx);
        CHECK(rec->lines == std::vector<std::string>{"start rows_add 1/2", "start rows_triple 2/2", "finish rows_add 1/2",
                                                     "finish rows_triple 2/2"});
        // Fused: both prepares before the blocks, the finish after them.
        CHECK(a.log == std::vector<std::string>{"prepare add", "prepare triple", "finish add"});
        const rows::Grid b = plain.run(in, ctx);
        CHECK(a.v == expected(in, 1));
        CHECK(b.v == a.v);
        CHECK(a.status == b.status);
        CHECK(a.status.at("add") == "COMPLETE");
    }
}

TEST_CASE("a fused group with save_results runs step by step (same result, the step's output saved)") {
    const orrery::test::TempDir scratch("orrery_fused_save");
    const auto dir = scratch.path();
    Quiet ctx;
    ctx.set_input_filename("/data/jw0002_uncal.fits");
    orrery::add_known_suffix("uncal");
    auto p = orrery::pipeline<"s">(orrery::fused(rows::Add{}, rows::Triple{}));
    orrery::ParamNode cfg = orrery::ParamNode::map();
    cfg.set_path("steps.rows_add.save_results", orrery::ParamNode::scalar("true", "test"));
    cfg.set_path("steps.rows_add.add", orrery::ParamNode::scalar("2", "test"));
    cfg.set_path("output_dir", orrery::ParamNode::scalar(dir.string(), "test"));
    p.configure(cfg);
    const rows::Grid in = grid(20);
    const rows::Grid out = p.run(in, ctx);
    CHECK(out.v == expected(in, 2));
    // Step by step: add prepared, ran and finished before triple was prepared.
    CHECK(out.log == std::vector<std::string>{"prepare add", "finish add", "prepare triple"});
    std::ifstream saved(dir / "jw0002_rows_add.fits");
    int first = -1;
    saved >> first;
    CHECK(first == in.v[0] + 2);  // add's own output, before triple
}

TEST_CASE("dynamic pipelines fuse the groups their names state") {
    const rows::Grid in = grid(50);
    Quiet ctx(2);
    auto fused = orrery::DynamicPipeline::from_names({"rows_add+rows_triple"});
    auto plain = orrery::DynamicPipeline::from_names({"rows_add", "rows_triple"});
    const auto a = fused.run_as<rows::Grid>(in, ctx);
    const auto b = plain.run_as<rows::Grid>(in, ctx);
    CHECK(a.v == expected(in, 1));
    CHECK(b.v == a.v);
    CHECK(a.log == std::vector<std::string>{"prepare add", "prepare triple", "finish add"});
    CHECK(b.log == std::vector<std::string>{"prepare add", "finish add", "prepare triple"});
    CHECK(a.status == b.status);
    CHECK_THROWS_WITH(orrery::DynamicPipeline::from_names({"rows_add+rows_nonexistent"}), Catch::Contains("rows_nonexistent"));
    CHECK_THROWS_WITH(orrery::DynamicPipeline::from_names({"rows_add"}).append_fused({"rows_add"}),
                      Catch::Contains("two or more row steps"));
}
