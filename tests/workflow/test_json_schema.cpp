// JsonSchema: valijson behind one-line messages with JSON pointers.

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "orrery/workflow/json_schema.hpp"

using nlohmann::json;
using orrery::workflow::JsonSchema;
using orrery::workflow::SchemaError;

namespace {

// A cut-down graph-file schema: enough nesting to exercise pointers through arrays,
// $ref, enums, required keys and additionalProperties.
const json graph_schema = json::parse(R"({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "additionalProperties": false,
  "required": ["stages"],
  "properties": {
    "version": {"type": "integer", "minimum": 1},
    "stages": {"type": "array", "items": {"$ref": "#/definitions/stage"}},
    "labels": {"type": "object", "additionalProperties": {"type": "string"}}
  },
  "definitions": {
    "stage": {
      "type": "object",
      "additionalProperties": false,
      "required": ["id"],
      "properties": {
        "id": {"type": "string", "pattern": "^[a-z][a-z0-9_-]*$"},
        "runtime": {"enum": ["python", "node", "shell", "exec"]},
        "needs": {"type": "array", "items": {"type": "string"}},
        "retry": {
          "type": "object",
          "additionalProperties": false,
          "properties": {"max_attempts": {"type": "integer", "minimum": 1, "maximum": 10}, "delay": {"type": "number"}}
        },
        "timeout": {"type": ["number", "string"]}
      }
    }
  }
})");

std::string dump(const std::vector<SchemaError>& errors) {
    std::string out;
    for (const auto& e : errors) out += e.pointer + ": " + e.message + "\n";
    return out;
}

const SchemaError* find_at(const std::vector<SchemaError>& errors, const std::string& pointer) {
    const auto it = std::find_if(errors.begin(), errors.end(), [&](const SchemaError& e) { return e.pointer == pointer; });
    return it == errors.end() ? nullptr : &*it;
}

}  // namespace

TEST_CASE("a valid document has no schema errors", "[workflow][json_schema]") {
    const auto schema = JsonSchema::parse(graph_schema, "graph.schema.json");
    const json doc = json::parse(R"({"version": 1, "stages": [
        {"id": "fetch", "runtime": "python", "retry": {"max_attempts": 3, "delay": 0.5}},
        {"id": "parse", "needs": ["fetch"], "timeout": "5m"}], "labels": {"team": "docs"}})");
    CHECK(schema.validate(doc).empty());
    CHECK(schema.origin() == "graph.schema.json");
}

TEST_CASE("schema errors carry the pointer of the offending value and a readable message", "[workflow][json_schema]") {
    const auto schema = JsonSchema::parse(graph_schema, "graph.schema.json");

    SECTION("an out-of-range value deep in an array") {
        const json doc = json::parse(R"({"stages": [{"id": "a"}, {"id": "b"}, {"id": "c", "retry": {"max_attempts": 0}}]})");
        const auto errors = schema.validate(doc);
        INFO(dump(errors));
        REQUIRE(errors.size() == 1);  // the wrappers for /stages/2/retry, /stages/2, /stages are collapsed
        CHECK(errors[0].pointer == "/stages/2/retry/max_attempts");
        CHECK(errors[0].message == "expected number greater than or equal to 1 (got 0)");
    }
    SECTION("an unknown key is named, at its own pointer, with a suggestion") {
        const json doc = json::parse(R"({"stages": [{"id": "a", "retyr": {}, "neds": []}]})");
        const auto errors = schema.validate(doc);
        INFO(dump(errors));
        REQUIRE(errors.size() == 2);  // valijson stops at the first; both are reported
        const auto* retyr = find_at(errors, "/stages/0/retyr");
        REQUIRE(retyr != nullptr);
        CHECK(retyr->message == "unknown key 'retyr' (did you mean 'retry'?)");
        const auto* neds = find_at(errors, "/stages/0/neds");
        REQUIRE(neds != nullptr);
        CHECK(neds->message == "unknown key 'neds' (did you mean 'needs'?)");
    }
    SECTION("an unknown top-level key") {
        const auto errors = schema.validate(json::parse(R"({"stages": [], "pipelinez": {}})"));
        INFO(dump(errors));
        REQUIRE(errors.size() == 1);
        CHECK(errors[0].pointer == "/pipelinez");
        CHECK(errors[0].message == "unknown key 'pipelinez'");
    }
    SECTION("a missing required key is named at the object that lacks it") {
        const auto errors = schema.validate(json::parse(R"({"stages": [{"id": "a"}, {"runtime": "node"}]})"));
        INFO(dump(errors));
        REQUIRE(errors.size() == 1);
        CHECK(errors[0].pointer == "/stages/1");
        CHECK(errors[0].message == "missing required key 'id'");
        const auto top = schema.validate(json::object());
        REQUIRE(top.size() == 1);
        CHECK(top[0].pointer.empty());
        CHECK(top[0].message == "missing required key 'stages'");
    }
    SECTION("an enum failure lists the allowed values") {
        const auto errors = schema.validate(json::parse(R"({"stages": [{"id": "a", "runtime": "ruby"}]})"));
        INFO(dump(errors));
        REQUIRE(errors.size() == 1);
        CHECK(errors[0].pointer == "/stages/0/runtime");
        CHECK(errors[0].message == R"("ruby" is not one of the allowed values: "python", "node", "shell", "exec")");
    }
    SECTION("a type failure names the expected and the actual type") {
        const auto errors = schema.validate(json::parse(R"({"version": "1", "stages": [{"id": "a", "timeout": true}]})"));
        INFO(dump(errors));
        REQUIRE(errors.size() == 2);
        REQUIRE(find_at(errors, "/version") != nullptr);
        CHECK(find_at(errors, "/version")->message == "expected integer, got string");
        REQUIRE(find_at(errors, "/stages/0/timeout") != nullptr);
        CHECK(find_at(errors, "/stages/0/timeout")->message == "expected number or string, got boolean");
    }
    SECTION("a pattern failure shows the value and the pattern") {
        const auto errors = schema.validate(json::parse(R"({"stages": [{"id": "Bad Id"}]})"));
        INFO(dump(errors));
        REQUIRE(errors.size() == 1);
        CHECK(errors[0].pointer == "/stages/0/id");
        CHECK(errors[0].message == R"("Bad Id" does not match the pattern '^[a-z][a-z0-9_-]*$')");
    }
    SECTION("object keys that look like indexes, and keys that need escaping") {
        const auto errors = schema.validate(json::parse(R"({"stages": [], "labels": {"0": 5, "a/b~c": false}})"));
        INFO(dump(errors));
        REQUIRE(errors.size() == 2);
        CHECK(find_at(errors, "/labels/0") != nullptr);
        REQUIRE(find_at(errors, "/labels/a~1b~0c") != nullptr);
        CHECK(find_at(errors, "/labels/a~1b~0c")->message == "expected string, got boolean");
    }
    SECTION("several problems are all reported, one line each") {
        const auto errors = schema.validate(json::parse(R"({"stages": [{"id": "a", "needs": [1]}, {"id": "b", "retry": {"max_attempts": 11}}]})"));
        INFO(dump(errors));
        REQUIRE(errors.size() == 2);
        CHECK(find_at(errors, "/stages/0/needs/0") != nullptr);
        REQUIRE(find_at(errors, "/stages/1/retry/max_attempts") != nullptr);
        CHECK(find_at(errors, "/stages/1/retry/max_attempts")->message == "expected number less than or equal to 10 (got 11)");
        for (const auto& e : errors) CHECK(e.message.find('\n') == std::string::npos);
    }
}

TEST_CASE("anyOf and oneOf failures keep the branch messages, not the wrapper", "[workflow][json_schema]") {
    const auto schema = JsonSchema::parse(json::parse(R"({
        "type": "object",
        "properties": {"when": {"anyOf": [{"type": "boolean"}, {"type": "string", "minLength": 2}]},
                       "one": {"oneOf": [{"type": "integer"}, {"type": "number"}]}}})"), "inline");
    const auto errors = schema.validate(json::parse(R"({"when": "x"})"));
    INFO(dump(errors));
    REQUIRE_FALSE(errors.empty());
    for (const auto& e : errors) {
        CHECK(e.pointer == "/when");
        CHECK(e.message.find("ailed") == std::string::npos);
    }
    CHECK(errors[0].message == "expected boolean, got string");  // not the branch that accepts strings
    // 3 is both an integer and a number: the oneOf leaf error stays.
    const auto both = schema.validate(json::parse(R"({"one": 3})"));
    REQUIRE(both.size() == 1);
    CHECK(both[0].pointer == "/one");
    CHECK(both[0].message == "matches more than one of the 'oneOf' alternatives");
}

TEST_CASE("a schema valijson cannot use is a ConfigError naming its origin", "[workflow][json_schema]") {
    CHECK_THROWS_AS(JsonSchema::parse(json::parse(R"({"type": 5})"), "schemas/bad.json"), orrery::ConfigError);
    CHECK_THROWS_WITH(JsonSchema::parse(json::parse(R"({"type": 5})"), "schemas/bad.json"), Catch::StartsWith("schemas/bad.json: "));
    CHECK_THROWS_WITH(JsonSchema::parse(json::parse(R"({"$ref": "other.json#/x"})"), "schemas/ref.json"), Catch::StartsWith("schemas/ref.json: "));
    CHECK_THROWS_WITH(JsonSchema::parse(json::array(), "schemas/array.json"), Catch::StartsWith("schemas/array.json: not a JSON Schema"));
}

TEST_CASE("one schema validates from many threads at once", "[workflow][json_schema]") {
    const auto schema = JsonSchema::parse(graph_schema, "graph.schema.json");
    const json good = json::parse(R"({"stages": [{"id": "a", "runtime": "node"}]})");
    const json bad = json::parse(R"({"stages": [{"id": "a", "runtime": "ruby", "extra": 1}]})");
    const auto expected_bad = schema.validate(bad);
    REQUIRE(expected_bad.size() == 2);
    std::vector<int> mismatches(4, 0);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) {
                if (!schema.validate(good).empty()) ++mismatches[t];
                const auto errors = schema.validate(bad);
                if (errors.size() != expected_bad.size() || errors[0].message != expected_bad[0].message) ++mismatches[t];
            }
        });
    for (auto& th : threads) th.join();
    CHECK(mismatches == std::vector<int>(4, 0));
}
