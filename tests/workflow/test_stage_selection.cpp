// Pipelines and --only/--skip/--from/--to (workflow/stage_selection.hpp).
#include "orrery/workflow/stage_selection.hpp"

#include <catch2/catch.hpp>

using namespace orrery::workflow;
using orrery::UsageError;
using Ids = std::vector<std::string>;

namespace {

/// fetch -> parse -> {index, links} -> report -> publish; lint stands alone.
GraphFile sample() {
    GraphFile g;
    g.document.path = "g.yaml";
    const auto add = [&](std::string id, Ids needs) {
        StageDecl s;
        s.id = std::move(id);
        s.needs = std::move(needs);
        g.stages.push_back(std::move(s));
    };
    add("publish", {"report"});  // declared first: dependency order still puts it last
    add("fetch", {});
    add("parse", {"fetch"});
    add("index", {"parse"});
    add("links", {"parse"});
    add("report", {"index", "links"});
    add("lint", {});
    g.pipelines.push_back({"quick", {"parse", "index"}});
    return g;
}

Ids run(const GraphFile& g, SelectionRequest r) { return select_stages(g, r).stages; }

}  // namespace

TEST_CASE("full-refresh runs every stage in dependency order", "[workflow][selection]") {
    const auto g = sample();
    CHECK(run(g, {}) == Ids{"fetch", "parse", "index", "links", "report", "lint", "publish"});
    CHECK(dependency_order(g).front() == "fetch");
}

TEST_CASE("a named pipeline is its subset; --only, --skip, --from, --to narrow it", "[workflow][selection]") {
    const auto g = sample();
    CHECK(run(g, {.pipeline = "quick"}) == Ids{"parse", "index"});
    CHECK(select_stages(g, {.pipeline = "quick"}).left_out.empty());
    CHECK(run(g, {.only = {"report", "fetch"}}) == Ids{"fetch", "report"});
    CHECK(run(g, {.skip = {"lint", "publish"}}) == Ids{"fetch", "parse", "index", "links", "report"});
    CHECK(run(g, {.from = "index"}) == Ids{"index", "report", "publish"});
    CHECK(run(g, {.to = "index"}) == Ids{"fetch", "parse", "index"});
    CHECK(run(g, {.from = "parse", .to = "report"}) == Ids{"parse", "index", "links", "report"});
    CHECK(run(g, {.skip = {"links"}, .from = "parse", .to = "report"}) == Ids{"parse", "index", "report"});
    const auto sel = select_stages(g, {.from = "report"});
    CHECK(sel.left_out == Ids{"fetch", "parse", "index", "links", "lint"});
}

TEST_CASE("contradictions and unknown names are rejected before anything runs", "[workflow][selection]") {
    const auto g = sample();
    CHECK_THROWS_WITH(run(g, {.only = {"index"}, .from = "parse"}), "--only cannot be combined with --from or --to");
    CHECK_THROWS_WITH(run(g, {.only = {"index"}, .skip = {"index"}}), "stage 'index' is both in --only and in --skip");
    CHECK_THROWS_WITH(run(g, {.skip = {"parse"}, .from = "parse"}), "stage 'parse' is both --from and in --skip");
    CHECK_THROWS_WITH(run(g, {.from = "report", .to = "parse"}), "--to parse does not come after --from report: nothing would run");
    CHECK_THROWS_WITH(run(g, {.from = "index", .to = "links"}), Catch::Contains("does not come after"));
    CHECK_THROWS_WITH(run(g, {.only = {"indx"}}), "--only: unknown stage 'indx' (did you mean 'index'?)");
    CHECK_THROWS_WITH(run(g, {.pipeline = "quick", .only = {"report"}}), "--only: stage 'report' is not in pipeline 'quick'");
    CHECK_THROWS_WITH(run(g, {.pipeline = "quik"}), "unknown pipeline 'quik' in g.yaml (did you mean 'quick'?)");
    CHECK_THROWS_WITH(run(g, {.pipeline = "quick", .skip = {"parse", "index"}}), Catch::Contains("leaves no stage to run"));
}
