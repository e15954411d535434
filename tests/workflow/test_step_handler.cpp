// Step handlers: the JSON Schema exported from a registered step's reflected
// parameters, validate_config's one line per problem, and running a handler
// through the registry with graph-file parameters.

#include "orrery/core/register.hpp"
#include "orrery/workflow/step_handler.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

using Catch::Matchers::Contains;
using orrery::workflow::StageArtifacts;
using orrery::workflow::StageRequest;

namespace sh_test {

struct EchoParams {
    int count = 2;
    std::string part = "patch";
    std::optional<double> ratio{};
    std::vector<std::string> files{"a.txt"};
    bool loud = false;
    std::vector<int> sizes{};
    ORRERY_REFLECT(EchoParams,
        (count, "How many times", orrery::min(1), orrery::max(10)),
        (part, "Which part", orrery::one_of("major|minor|patch")),
        (ratio, "An optional ratio", orrery::min(0)),
        (files, "Files to mention"),
        (loud, "Shout"),
        (sizes, "Sizes", orrery::max(3)))
};

struct Echo {
    static constexpr std::string_view name = "sh_echo";
    static constexpr std::string_view class_name = "sh_test.Echo";
    static constexpr std::string_view description = "Repeat the stage id";
    using Params = EchoParams;
    static StageArtifacts process(StageRequest request, const Params& p, orrery::Context&) {
        StageArtifacts out;
        for (int i = 0; i < p.count; ++i) out.summary += (i ? " " : "") + request.stage_id;
        out.summary += " " + p.part + (p.loud ? "!" : "");
        for (const auto& f : p.files) out.files[f] = request.run_dir / f;
        return out;
    }
};

struct NotAHandler {
    static constexpr std::string_view name = "sh_not_a_handler";
    using Params = orrery::NoParams;
    static int process(int x, const Params&, orrery::Context&) { return x; }
};

}  // namespace sh_test

ORRERY_REGISTER_STEP(sh_test::Echo)
ORRERY_REGISTER_STEP(sh_test::NotAHandler)

namespace {
const orrery::StepInfo& echo_info() { return orrery::Registry::instance().get("sh_echo"); }
}  // namespace

TEST_CASE("parameters_schema exports the reflected parameters as draft-07 JSON Schema") {
    REQUIRE(orrery::workflow::is_step_handler(echo_info()));
    CHECK_FALSE(orrery::workflow::is_step_handler(orrery::Registry::instance().get("sh_not_a_handler")));
    const auto schema = orrery::workflow::parameters_schema(echo_info());
    CHECK(schema["$schema"] == "http://json-schema.org/draft-07/schema#");
    CHECK(schema["type"] == "object");
    CHECK(schema["additionalProperties"] == false);
    CHECK(schema["title"] == "sh_echo");
    CHECK(schema["description"] == "Repeat the stage id");
    const auto& p = schema["properties"];
    CHECK(p.size() == 6);
    CHECK(p["count"] == nlohmann::json{{"type", "integer"}, {"default", 2}, {"minimum", 1.0}, {"maximum", 10.0}, {"description", "How many times"}});
    CHECK(p["part"]["type"] == "string");
    CHECK(p["part"]["enum"] == nlohmann::json{"major", "minor", "patch"});
    CHECK(p["part"]["default"] == "patch");
    CHECK(p["ratio"]["type"] == nlohmann::json{"number", "null"});
    CHECK(p["ratio"]["default"].is_null());
    CHECK(p["ratio"]["minimum"] == 0.0);
    CHECK(p["files"]["type"] == "array");
    CHECK(p["files"]["items"] == nlohmann::json{{"type", "string"}});
    CHECK(p["files"]["default"] == nlohmann::json{"a.txt"});
    CHECK(p["loud"] == nlohmann::json{{"type", "boolean"}, {"default", false}, {"description", "Shout"}});
    CHECK(p["sizes"]["items"]["type"] == "integer");
    CHECK(p["sizes"]["maxItems"] == 3);
}

TEST_CASE("validate_config accepts good parameters") {
    CHECK(orrery::workflow::validate_config(echo_info(), nullptr).empty());
    CHECK(orrery::workflow::validate_config(echo_info(), nlohmann::json::object()).empty());
    CHECK(orrery::workflow::validate_config(
              echo_info(), {{"count", 3}, {"part", "minor"}, {"ratio", 0.5}, {"files", {"x", "y"}}, {"loud", true}, {"sizes", {1, 2}}})
              .empty());
    CHECK(orrery::workflow::validate_config(echo_info(), {{"ratio", nullptr}}).empty());
}

TEST_CASE("validate_config reports each problem on its own line naming the parameter") {
    const auto problems = orrery::workflow::validate_config(
        echo_info(), {{"cuont", 1}, {"count", 11}, {"part", "huge"}, {"loud", "yes"}, {"files", {"x", 3}}, {"ratio", -1}, {"sizes", {1, 2, 3, 4}}});
    REQUIRE(problems.size() == 7);
    // nlohmann::json iterates keys in sorted order
    CHECK(problems[0] == "step 'sh_echo': parameter 'count': the value 11 is above the maximum 10.0");
    CHECK(problems[1] == "step 'sh_echo': parameter 'cuont': unknown (did you mean 'count'?)");
    CHECK(problems[2] == "step 'sh_echo': parameter 'files': item 1: expected string, got a number (3)");
    CHECK(problems[3] == "step 'sh_echo': parameter 'loud': expected boolean, got a string (\"yes\")");
    CHECK_THAT(problems[4], Contains("parameter 'part': the value \"huge\" is not one of 'major', 'minor', 'patch'"));
    CHECK_THAT(problems[5], Contains("parameter 'ratio': the value -1.0 is below the minimum 0.0"));
    CHECK_THAT(problems[6], Contains("parameter 'sizes': the list is too long (at most 3 items)"));
    CHECK(orrery::workflow::validate_config(echo_info(), {{"count", 2.5}}) ==
          std::vector<std::string>{"step 'sh_echo': parameter 'count': expected integer, got a number (2.5)"});
    CHECK(orrery::workflow::validate_config(echo_info(), {{"count", nullptr}}) ==
          std::vector<std::string>{"step 'sh_echo': parameter 'count': expected integer, got null"});
    CHECK(orrery::workflow::validate_config(echo_info(), nlohmann::json::array()) ==
          std::vector<std::string>{"step 'sh_echo': parameters must be a mapping, got a list ([])"});
}

TEST_CASE("run_step_handler validates, configures and runs a handler from the registry") {
    orrery::Context ctx;
    StageRequest request;
    request.stage_id = "s1";
    request.run_dir = "/runs/1";
    const auto out = orrery::workflow::run_step_handler("sh_echo", {{"count", 3}, {"part", "major"}, {"loud", true}, {"files", {"r.json"}}}, request, ctx);
    CHECK(out.summary == "s1 s1 s1 major!");
    CHECK(out.files.at("r.json") == std::filesystem::path("/runs/1/r.json"));
    CHECK(orrery::workflow::run_step_handler("sh_echo", nullptr, request, ctx).summary == "s1 s1 patch");
    CHECK_THROWS_AS(orrery::workflow::run_step_handler("sh_echo", {{"count", 0}, {"lod", true}}, request, ctx), orrery::ConfigError);
    CHECK_THROWS_WITH(orrery::workflow::run_step_handler("sh_echo", {{"count", 0}, {"lod", true}}, request, ctx),
                      Contains("parameter 'count': the value 0 is below the minimum 1.0; step 'sh_echo': parameter 'lod': unknown (did you mean 'loud'?)"));
    CHECK_THROWS_WITH(orrery::workflow::run_step_handler("sh_not_a_handler", nullptr, request, ctx), Contains("is not a step handler"));
    CHECK_THROWS_WITH(orrery::workflow::run_step_handler("sh_ecko", nullptr, request, ctx), Contains("unknown step or pipeline 'sh_ecko'"));
}
