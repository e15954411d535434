// The memory-saving reference paths give the results of the whole-reference paths:
// - a DARK's SCI read by rows (io::ImageRows, read_dark_rows) equals the whole read, cut
//   to the science subarray, DQ translated through DQ_DEF;
// - the dark_current row step reading the dark by rows (only the planes the ramp needs)
//   equals the reference path bit for bit: longer dark, extrapolated, averaged, cut to a
//   subarray, MIRI integrations, NaNs, any row order, chunked reads;
// - calwebb_detector1 releasing each reference after its last step (the default) gives
//   the products of a run that keeps them, and leaves nothing cached.

#include "orrery/jwst.hpp"
#include "orrery/jwst/io/image_rows.hpp"
#include "orrery/jwst/io/reference_io.hpp"
#include "orrery/jwst/io/reference_write.hpp"
#include "orrery/jwst/simulate.hpp"

#include "../support/row_orders.hpp"
#include "../support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <random>
#include <set>

using namespace orrery;
using namespace orrery::jwst;
namespace fs = std::filesystem;

namespace {

struct Quiet : Context {
    explicit Quiet(const fs::path& ref_dir) {
        set_logger(std::make_shared<NullLogger>());
        orrery::stpipe::use_reference_dir(*this, ref_dir);
    }
};

template <class A>
bool same_bits(const A& a, const A& b) {
    return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(*a.data())) == 0;
}

struct Layout {
    std::string name;
    std::size_t nints = 1, ngroups = 6, ny = 9, nx = 11;
    int nframes = 1, groupgap = 0;
    std::size_t dark_nints = 1, dark_groups = 8;
    int dark_nframes = 1, dark_groupgap = 0;
    int substrt1 = 1, substrt2 = 1;  // science corner on the dark (dark at 1, 1)
    std::size_t dark_ny = 9, dark_nx = 11;
    bool miri = false;
    int intstart = 1;
    std::optional<double> avgdrkcr;  // AVGDRKCR keyword
    bool avdrkcur = false;           // an AVDRKCUR extension
};

RampModel science(const Layout& l, std::uint32_t seed) {
    RampModel m;
    m.meta.instrument = l.miri ? "MIRI" : "NIRCAM";
    m.meta.nints = static_cast<int>(l.nints);
    m.meta.ngroups = static_cast<int>(l.ngroups);
    m.meta.nframes = l.nframes;
    m.meta.groupgap = l.groupgap;
    m.meta.substrt1 = l.substrt1;
    m.meta.substrt2 = l.substrt2;
    m.meta.subsize1 = static_cast<int>(l.nx);
    m.meta.subsize2 = static_cast<int>(l.ny);
    m.meta.intstart = l.intstart;
    m.sci.resize({l.nints, l.ngroups, l.ny, l.nx});
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(0.0f, 30000.0f);
    for (auto& v : m.sci) v = u(rng);
    m.pixeldq.resize({l.ny, l.nx}, 0u);
    m.pixeldq[3] = dq::DEAD;
    m.groupdq.resize(m.sci.shape(), std::uint8_t{0});
    return m;
}

/// A dark with NaNs and DQ bits (in file bits, translated by DQ_DEF), written as dir/dark.fits.
DarkRef write_dark(const Layout& l, const fs::path& dir, std::uint32_t seed) {
    DarkRef d;
    d.primary.set("INSTRUME", l.miri ? "MIRI" : "NIRCAM", "");
    d.geometry = {1, 1, static_cast<int>(l.dark_nx), static_cast<int>(l.dark_ny)};
    d.nframes = l.dark_nframes;
    d.groupgap = l.dark_groupgap;
    d.sci.resize({l.dark_nints, l.dark_groups, l.dark_ny, l.dark_nx});
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-5.0f, 80.0f);
    for (auto& v : d.sci) v = u(rng);
    for (std::size_t i = 7; i < d.sci.size(); i += 53) d.sci[i] = std::numeric_limits<float>::quiet_NaN();
    d.avgdrkcr = l.avgdrkcr;
    if (l.avdrkcur) {
        d.avdrkcur.emplace(std::array<std::size_t, 2>{l.dark_ny, l.dark_nx}, 0.0f);
        for (std::size_t k = 0; k < d.avdrkcur->size(); ++k) (*d.avdrkcur)[k] = 0.01f * static_cast<float>(k % 7);
    }
    d.dq.resize({1, l.dark_ny, l.dark_nx}, 0u);
    for (std::size_t i = 0; i < d.dq.size(); i += 5) d.dq[i] = (i % 2) ? 1u : 4u;  // file bits 0 and 2
    const io::DqDef def{{1u, "DO_NOT_USE"}, {4u, "UNRELIABLE_DARK"}};
    fs::create_directories(dir);
    io::write_reference(d, dir / "dark.fits", &def);
    return d;
}

using orrery::test::scrambled_rows;

/// The row step reading the dark by rows against the step with the whole dark in memory
/// (what it does when references are kept), bit for bit.
void check_streamed_dark(const Layout& l, const DarkCurrentParams& p = {}) {
    INFO(l.name);
    const orrery::test::TempDir scratch("orrery_refmem");
    const fs::path dir = scratch / l.name;
    write_dark(l, dir, 7);
    const RampModel in = science(l, 3);

    Quiet a(dir), b(dir), c(dir);
    a.set_reference_retention(ReferenceRetention::keep);  // the whole dark, read once
    const RampModel want = orrery::step_process<DarkCurrentStep>(in, p, a);

    RampModel got = in;
    auto state = DarkCurrentStep::prepare(got, p, b);
    REQUIRE(state.rows);  // read by rows, not whole
    CHECK(state.planes.size() <= l.dark_nints * l.dark_groups);
    CHECK(a.step().status == b.step().status);
    if (b.step().status != StepStatus::skipped) {
        scrambled_rows(got.ny(), [&](std::size_t y0, std::size_t y1) { DarkCurrentStep::process_rows(got, state, p, y0, y1); });
        DarkCurrentStep::finish(got, state, p, b);
    }
    CHECK(same_bits(got.sci, want.sci));
    CHECK(same_bits(got.pixeldq, want.pixeldq));
    CHECK(same_bits(got.average_dark_current, want.average_dark_current));
    CHECK(got.average_dark_current.empty() == (!p.average_dark_current && !l.avgdrkcr && !l.avdrkcur));  // empty = 0

    // all rows in one call (read in chunks when the rows are wide), and one row at a time in
    // order (rows read ahead serve the next blocks)
    for (bool at_once : {true, false}) {
        Quiet d(dir);
        RampModel one = in;
        auto single = DarkCurrentStep::prepare(one, p, d);
        if (d.step().status != StepStatus::skipped) {
            if (at_once) DarkCurrentStep::process_rows(one, single, p, 0, one.ny());
            else
                for (std::size_t y = 0; y < one.ny(); ++y) DarkCurrentStep::process_rows(one, single, p, y, y + 1);
            DarkCurrentStep::finish(one, single, p, d);
        }
        CHECK(same_bits(one.sci, want.sci));
    }

    // keep: the whole dark, cached
    c.set_reference_retention(ReferenceRetention::keep);
    RampModel kept = in;
    auto whole = DarkCurrentStep::prepare(kept, p, c);
    CHECK_FALSE(whole.rows);
    if (c.step().status != StepStatus::skipped) {
        DarkCurrentStep::process_rows(kept, whole, p, 0, kept.ny());
        DarkCurrentStep::finish(kept, whole, p, c);
    }
    CHECK(same_bits(kept.sci, want.sci));
}

}  // namespace

TEST_CASE("a DARK read by rows equals the whole read, cut to the science subarray", "[reference_memory]") {
    Layout l;
    l.name = "rows";
    l.ny = 5;
    l.nx = 6;
    l.substrt1 = 3;
    l.substrt2 = 4;
    const orrery::test::TempDir scratch("orrery_refmem");
    const fs::path dir = scratch / l.name;
    write_dark(l, dir, 11);
    const RampModel m = science(l, 1);
    const DarkRef whole = io::read_reference<DarkRef>(dir / "dark.fits", m);
    const auto rows = io::read_dark_rows(dir / "dark.fits", m);
    REQUIRE(rows);
    CHECK(rows->sci_shape == whole.sci.shape());
    CHECK(rows->meta.sci.empty());
    CHECK(same_bits(rows->meta.dq, whole.dq));  // translated through DQ_DEF
    CHECK(rows->meta.nframes == whole.nframes);
    CHECK(rows->meta.geometry.substrt1 == whole.geometry.substrt1);
    REQUIRE(rows->sci.planes() == l.dark_groups);
    std::vector<float> buf(l.ny * l.nx);
    for (std::size_t p = 0; p < rows->sci.planes(); ++p)
        for (auto [y0, y1] : {std::pair<std::size_t, std::size_t>{0, 5}, {1, 3}, {4, 5}, {2, 2}}) {
            rows->sci.read(p, y0, y1, buf.data());
            CHECK(std::memcmp(buf.data(), whole.sci.plane(p) + y0 * l.nx, (y1 - y0) * l.nx * sizeof(float)) == 0);
        }
    CHECK_THROWS(rows->sci.read(l.dark_groups, 0, 1, buf.data()));
}

TEST_CASE("dark_current reading the dark by rows equals the whole-dark path", "[reference_memory][parity]") {
    Layout l;
    l.name = "longer";  // 8 dark groups, 6 used
    check_streamed_dark(l);
    check_streamed_dark(l, DarkCurrentParams{std::nullopt, 0.25});

    l.name = "extrapolated";  // 10 science groups from 4 dark groups
    l.ngroups = 10;
    l.dark_groups = 4;
    check_streamed_dark(l);

    l = Layout{};
    l.name = "averaged";  // NFRAMES 2, GROUPGAP 1 from a one-frame dark
    l.ngroups = 4;
    l.nframes = 2;
    l.groupgap = 1;
    l.dark_groups = 12;
    check_streamed_dark(l);

    l.name = "averaged_extrapolated";
    l.dark_groups = 5;
    check_streamed_dark(l);

    l.name = "avgdrkcr";  // a uniform average dark current from the keyword
    l.avgdrkcr = 0.5;
    check_streamed_dark(l);
    l.name = "avdrkcur";  // per pixel, from the extension
    l.avdrkcur = true;
    check_streamed_dark(l);

    l = Layout{};
    l.name = "skipped";  // dark NFRAMES above the science's: nothing subtracted
    l.dark_nframes = 2;
    check_streamed_dark(l);

    l = Layout{};
    l.name = "subarray";  // columns cut: one read per row
    l.ny = 6;
    l.nx = 7;
    l.substrt1 = 4;
    l.substrt2 = 2;
    l.dark_ny = 10;
    l.dark_nx = 12;
    l.nints = 2;
    check_streamed_dark(l);

    l = Layout{};
    l.name = "miri";  // three dark integrations for two science ones
    l.miri = true;
    l.nints = 2;
    l.dark_nints = 3;
    l.dark_groups = 7;
    check_streamed_dark(l);
    l.name = "miri_intstart";
    l.intstart = 2;
    check_streamed_dark(l);
    l.name = "miri_averaged";
    l.intstart = 1;
    l.nframes = 2;
    l.ngroups = 3;
    check_streamed_dark(l);

    l = Layout{};
    l.name = "wide";  // wide rows: all rows at once are read in several chunks
    l.ny = 40;
    l.nx = 2048;
    l.dark_ny = 40;
    l.dark_nx = 2048;
    l.ngroups = 10;
    l.dark_groups = 12;
    check_streamed_dark(l);
}

TEST_CASE("the dark's plane g is subtracted from group g, NaN as 0 (independent arithmetic)", "[reference_memory]") {
    Layout l;
    l.name = "plain";
    l.nints = 2;
    const orrery::test::TempDir scratch("orrery_refmem");
    const fs::path dir = scratch / l.name;
    const DarkRef d = write_dark(l, dir, 9);
    const RampModel in = science(l, 4);
    Quiet ctx(dir);
    const RampModel got = orrery::step_process<DarkCurrentStep>(in, {}, ctx);
    bool all = true;
    for (std::size_t i = 0; i < l.nints; ++i)
        for (std::size_t g = 0; g < l.ngroups; ++g)
            for (std::size_t k = 0; k < l.ny * l.nx; ++k) {
                const float v = d.sci.plane(g)[k];
                const float want = static_cast<float>(static_cast<double>(in.sci.plane(i * l.ngroups + g)[k]) -
                                                      (std::isnan(v) ? 0.0 : static_cast<double>(v)));
                all = all && std::memcmp(&want, got.sci.plane(i * l.ngroups + g) + k, 4) == 0;
            }
    CHECK(all);
}

TEST_CASE("dark_output still saves the dark as subtracted (the whole dark is read then)", "[reference_memory]") {
    Layout l;
    l.name = "dark_output";
    l.ngroups = 10;
    l.dark_groups = 4;
    const orrery::test::TempDir scratch("orrery_refmem");
    const fs::path dir = scratch / l.name;
    write_dark(l, dir, 5);
    DarkCurrentParams p;
    p.dark_output = "elsewhere/used.asdf";  // as jwst: its file name only, with the step's output_ext, in its output directory
    Quiet ctx(dir);
    StepScope scope;
    scope.alias = "dark_current";
    scope.class_name = "jwst.dark_current.DarkCurrentStep";
    scope.output_dir = dir.string();
    scope.output_ext = ".fits";
    ctx.enter_step(std::move(scope));
    RampModel m = science(l, 2);
    auto state = DarkCurrentStep::prepare(m, p, ctx);
    CHECK_FALSE(state.rows);
    DarkCurrentStep::process_rows(m, state, p, 0, m.ny());
    DarkCurrentStep::finish(m, state, p, ctx);
    REQUIRE(fs::exists(dir / "used.fits"));
    RampModel ref = science(l, 2);
    const DarkRef used = io::read_reference<DarkRef>(dir / "used.fits", ref);
    CHECK(used.sci.extent(1) == 10);  // 4 groups extrapolated to 10 frames
}

TEST_CASE("calwebb_detector1 gives the same products whether references are released or kept", "[reference_memory]") {
    const orrery::test::TempDir scratch("orrery_refmem");
    const fs::path dir = scratch / "pipeline";
    SimulationConfig c;
    c.name = "life";
    c.ny = 20;
    c.nx = 24;
    c.ngroups = 6;
    c.threads = 1;
    const SimulatedFiles files = write_simulated_exposure(dir, c);
    const RampModel raw = io::read_ramp(files.uncal);
    ParamNode cfg = ParamNode::map();
    cfg.set_path("steps.ipc.override_ipc", ParamNode::scalar("N/A", "test"));
    auto p = make_pipeline<Detector1Pipeline>();
    p.configure(cfg);

    Quiet released(files.uncal.parent_path() / "ref");
    struct CacheAtStart : Observer {
        Context& ctx;
        std::map<std::string, std::set<std::string>> at_start;  // step -> reference types cached when it started
        explicit CacheAtStart(Context& c) : ctx(c) {}
        void on_event(const StepEvent& e) override {
            if (e.kind == StepEvent::Kind::start) at_start[e.alias] = reference_cache(ctx).reftypes();
        }
    };
    auto seen = std::make_shared<CacheAtStart>(released);
    released.add_observer(seen);
    const RateProducts a = p.run(raw, released);
    CHECK(reference_cache(released).size() == 0);
    CHECK(seen->at_start["saturation"] == std::set<std::string>{});        // mask released after dq_init
    CHECK(seen->at_start["jump"] == std::set<std::string>{});              // dark was never cached; linearity gone
    CHECK(seen->at_start["ramp_fit"] == std::set<std::string>{"gain", "readnoise"});
    CHECK(seen->at_start["gain_scale"] == std::set<std::string>{"gain"});  // readnoise's last step was ramp_fit

    Quiet kept(files.uncal.parent_path() / "ref");
    kept.set_reference_retention(ReferenceRetention::keep);
    const RateProducts b = p.run(raw, kept);
    CHECK(reference_cache(kept).size() >= 6);
    for (const auto* m : {&a.rate, &b.rate}) REQUIRE(m->sci.size() == a.rate.sci.size());
    CHECK(same_bits(a.rate.sci, b.rate.sci));
    CHECK(same_bits(a.rate.dq, b.rate.dq));
    CHECK(same_bits(a.rate.err, b.rate.err));
    CHECK(same_bits(a.rate.var_poisson, b.rate.var_poisson));
    CHECK(same_bits(a.rateints.sci, b.rateints.sci));
    CHECK(same_bits(a.rateints.dq, b.rateints.dq));
    CHECK(a.rate.provenance.ref_file == b.rate.provenance.ref_file);
    CHECK(a.rate.provenance.cal_step == b.rate.provenance.cal_step);

    // A second run with the same context reads the references again and gives the same.
    const RateProducts again = p.run(raw, released);
    CHECK(same_bits(again.rate.sci, a.rate.sci));
}
