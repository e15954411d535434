// docs/graph-files.md documents every property of the shipped schema, and the
// examples validate against it.
#include "orrery/workflow/graph_file_loader.hpp"
#include "orrery/workflow/graph_schema.hpp"
#include "../support/run_program.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <set>
#include <string>

namespace fs = std::filesystem;

namespace {

const fs::path repo = fs::path(ORRERY_TEST_DATA_DIR) / ".." / "..";

void collect_properties(const nlohmann::json& schema, std::set<std::string>& out) {
    if (schema.is_object()) {
        if (schema.contains("properties"))
            for (const auto& [name, sub] : schema["properties"].items()) out.insert(name);
        for (const auto& [k, v] : schema.items()) collect_properties(v, out);
    } else if (schema.is_array()) {
        for (const auto& v : schema) collect_properties(v, out);
    }
}

}  // namespace

TEST_CASE("every property of the stage-graph schema is documented in docs/graph-files.md", "[workflow][docs]") {
    const auto schema = nlohmann::json::parse(orrery::workflow::stage_graph_schema_text);
    std::set<std::string> properties;
    collect_properties(schema, properties);
    REQUIRE(properties.size() > 40);
    const std::string doc = orrery::test::slurp(repo / "docs" / "graph-files.md");
    for (const auto& p : properties) {
        INFO("property " << p);
        CHECK(doc.find("`" + p + "`") != std::string::npos);
    }
}

TEST_CASE("the shipped examples are valid graph files", "[workflow][docs]") {
    // jwst-batch.yaml names calwebb_detector1 and release.yaml needs a git repository: both are
    // checked where they run, through the orrery tool (test_orchestrator_cli).
    for (const char* file : {"docs-refresh/stage-graph.json"}) {
        INFO(file);
        const auto g = orrery::workflow::load_graph_file(repo / "examples" / "graphs" / file);
        CHECK_FALSE(g.stages.empty());
    }
}
