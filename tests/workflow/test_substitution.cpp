// ${...} references, conditions and configuration layers.
#include "orrery/workflow/condition.hpp"
#include "orrery/workflow/config_layers.hpp"
#include "orrery/workflow/substitution.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <string>

using namespace orrery::workflow;
using orrery::ConfigError;

namespace {

Resolver table(std::map<std::string, std::string> values) {
    return [values](const Reference& r) -> std::optional<std::string> {
        auto it = values.find(r.scope + "." + r.path);
        if (it == values.end()) return std::nullopt;
        return it->second;
    };
}

}  // namespace

TEST_CASE("references are replaced; $${ is a literal", "[workflow][substitution]") {
    const auto r = table({{"config.out", "build"}, {"params.n", "3"}, {"stages.a.outputs.x", "/w/x.json"}});
    CHECK(substitute("${config.out}/n${params.n}.txt", r, "f:1") == "build/n3.txt");
    CHECK(substitute("cost $5 and $${config.out}", r, "f:1") == "cost $5 and ${config.out}");
    CHECK(substitute("${stages.a.outputs.x}", r, "f:1") == "/w/x.json");
}

TEST_CASE("an unknown reference is an error naming it and where", "[workflow][substitution]") {
    const auto r = table({});
    CHECK_THROWS_WITH(substitute("x ${config.nope}", r, "g.yaml:7"), "g.yaml:7: unknown reference ${config.nope}");
    CHECK_THROWS_WITH(substitute("${cfg.x}", r, "g.yaml:2"), Catch::StartsWith("g.yaml:2: unknown reference ${cfg.x}"));
    CHECK_THROWS_WITH(substitute("${config.x", r, "g.yaml:3"), Catch::StartsWith("g.yaml:3: unterminated reference"));
    CHECK_THROWS_WITH(substitute("${config}", r, "g.yaml:4"), Catch::StartsWith("g.yaml:4: incomplete reference"));
}

TEST_CASE("references found in a JSON value, with their pointers", "[workflow][substitution]") {
    const nlohmann::json v = {{"args", {"${params.a}", "plain"}}, {"env", {{"X", "${env.HOME}"}}}};
    std::vector<std::string> seen;
    for_each_string(v, "/stages/0", [&](const std::string& text, const std::string& ptr) {
        for (const auto& r : find_references(text, ptr)) seen.push_back(ptr + " " + r.text);
    });
    CHECK(seen == std::vector<std::string>{"/stages/0/args/0 ${params.a}", "/stages/0/env/X ${env.HOME}"});
}

TEST_CASE("conditions: truthiness, comparisons, not/and/or, exists", "[workflow][condition]") {
    const auto r = table({{"params.publish", "true"}, {"params.off", "no"}, {"config.mode", "release candidate"}});
    const auto eval = [&](const std::string& text) { return Condition(text, "g.yaml:1").evaluate(r, "/"); };
    CHECK(eval("${params.publish}"));
    CHECK_FALSE(eval("${params.off}"));
    CHECK(eval("${config.mode} == 'release candidate'"));  // a value with a space stays one operand
    CHECK(eval("${config.mode} != release"));
    CHECK(eval("not ${params.off} and (${params.publish} or false)"));
    CHECK_FALSE(eval("${params.off} or 0"));
    CHECK(eval("exists /"));
    CHECK_FALSE(eval("exists /nonexistent/file"));
    CHECK_THROWS_WITH(Condition("${params.publish} ==", "g.yaml:9"), Catch::StartsWith("g.yaml:9: condition '${params.publish} ==': expected a value"));
    CHECK_THROWS_WITH(Condition("(a", "g.yaml:9"), Catch::Contains("missing ')'"));
    CHECK_THROWS_WITH(Condition("${x.y}", "g.yaml:9"), Catch::Contains("unknown reference ${x.y}"));
}

TEST_CASE("configuration precedence: --param > file > workflow > global > adapter defaults > environment", "[workflow][config]") {
    ConfigLayers layers;
    layers.add({"--param", "", {{"a", "param"}}});
    layers.add({"graph file", "g.yaml", {{"a", "file"}, {"b", "file"}, {"nested", {{"k", 1}}}}});
    layers.add({"workflow release", "", {{"a", "wf"}, {"b", "wf"}, {"c", "wf"}}});
    layers.add({"orrery.yaml", "/etc/orrery.yaml", {{"a", "global"}, {"b", "global"}, {"c", "global"}, {"d", "global"}}});
    layers.add({"adapter git", "", {{"d", "adapter"}, {"e", "adapter"}}});
    ::setenv("ORRERY_F", "environment", 1);
    ::setenv("ORRERY_A", "environment", 1);
    CHECK(layers.find("a")->layer == "--param");
    CHECK(layers.find("b")->value == "file");
    CHECK(layers.find("c")->value == "wf");
    CHECK(layers.find("d")->value == "global");
    CHECK(layers.find("e")->value == "adapter");
    CHECK(layers.find("f")->value == "environment");
    CHECK(layers.find("nested.k")->value == 1);
    CHECK_FALSE(layers.find("nested.z").has_value());
    CHECK_FALSE(layers.find("g").has_value());
    ::unsetenv("ORRERY_F");
    ::unsetenv("ORRERY_A");
    CHECK(config_env_name("out.dir-name") == "ORRERY_OUT_DIR_NAME");
}
