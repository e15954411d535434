#pragma once
/// The model of a stage-graph file (see graph_schema.hpp and docs/graph-files.md):
/// stages that run a registered step or an external command, their dependencies,
/// artifacts, retry and timeout, conditions, hooks, named pipelines, parameters,
/// configuration and adapters. Every element keeps its JSON pointer, so messages
/// about it can name `file:line`. Parsing and checking live in graph_file_loader.hpp.

#include "orrery/workflow/document.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orrery::workflow {

struct ArtifactDecl {
    std::string name{};
    std::string path{};    // as written: may hold ${...} references
    std::string schema{};  // a JSON Schema file the artifact must satisfy (outputs), or empty
    std::string pointer{};
};

struct CommandDecl {
    std::string program{};
    std::vector<std::string> args{};
    std::map<std::string, std::string> env{};
    std::string cwd{};
    std::string runtime{};  // python | node | shell | exec; empty: detected from the program
};

struct HookDecl {
    std::string type{};                 // command | validate | cleanup
    std::string description{};
    std::vector<std::string> stages{};  // global hooks: the stages it applies to (empty: all)
    CommandDecl command{};              // type command
    std::string artifact{};             // type validate: one output by name (empty: every output with a schema)
    std::string path{}, schema{};       // type validate: an explicit file and schema
    std::vector<std::string> paths{};   // type cleanup
    std::string pointer{};
};

struct HookSet {
    std::vector<HookDecl> pre{}, post{};
};

struct RetryDecl {
    int max_attempts = 1;
    std::chrono::milliseconds initial_backoff{100};
    double multiplier = 2.0;
    std::chrono::milliseconds max_backoff{30'000};
    double jitter = 0.0;
};

struct StageDecl {
    std::string id{};
    std::string description{};
    std::string step{};                         // a registered step/handler, or empty for a command
    nlohmann::json parameters = nlohmann::json::object();
    std::optional<CommandDecl> command{};
    std::vector<std::string> needs{};           // as declared
    std::vector<std::string> implicit_needs{};  // stages named by ${stages.<id>...} in the stage
    std::vector<ArtifactDecl> inputs{}, outputs{};
    RetryDecl retry{};
    std::optional<std::chrono::milliseconds> timeout{};
    std::string when{};                         // condition text; empty: always
    bool optional = false;
    HookSet hooks{};
    std::string pointer{};                      // "/stages/3"
    bool from_workflow = false;                 // added by the file's workflow type

    [[nodiscard]] bool is_command() const { return command.has_value(); }
    /// needs + implicit needs, without duplicates, in declaration order.
    [[nodiscard]] std::vector<std::string> dependencies() const {
        std::vector<std::string> out;
        for (const auto* list : {&needs, &implicit_needs})
            for (const auto& n : *list)
                if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
        return out;
    }
    [[nodiscard]] const ArtifactDecl* output(std::string_view name) const {
        for (const auto& a : outputs)
            if (a.name == name) return &a;
        return nullptr;
    }
};

struct ParamDecl {
    std::string name{};
    nlohmann::json default_value{};  // null: none
    std::string description{};
    bool required = false;
};

struct GraphFile {
    Document document{};
    std::string name{};
    std::string description{};
    std::string workflow{};                    // a registered workflow type, or empty
    nlohmann::json config = nlohmann::json::object();
    std::vector<ParamDecl> params{};
    std::map<std::string, std::string> env{};  // every command stage's environment
    nlohmann::json adapters = nlohmann::json::object();
    std::vector<std::string> required_env{}, required_programs{};
    std::vector<StageDecl> stages{};
    std::vector<std::pair<std::string, std::vector<std::string>>> pipelines{};  // in file order
    std::string default_pipeline = "full-refresh";
    HookSet hooks{};

    [[nodiscard]] std::filesystem::path base_dir() const {
        const auto dir = document.path.parent_path();
        return dir.empty() ? std::filesystem::path(".") : dir;
    }
    [[nodiscard]] std::string where(std::string_view pointer) const { return document.where(pointer); }
    [[nodiscard]] const StageDecl* find_stage(std::string_view id) const {
        for (const auto& s : stages)
            if (s.id == id) return &s;
        return nullptr;
    }
    [[nodiscard]] const std::vector<std::string>* find_pipeline(std::string_view name) const {
        for (const auto& [n, ids] : pipelines)
            if (n == name) return &ids;
        return nullptr;
    }
    [[nodiscard]] const ParamDecl* find_param(std::string_view name) const {
        for (const auto& p : params)
            if (p.name == name) return &p;
        return nullptr;
    }
    /// Every pipeline name, "full-refresh" (all stages) included.
    [[nodiscard]] std::vector<std::string> pipeline_names() const {
        std::vector<std::string> out;
        if (!find_pipeline("full-refresh")) out.emplace_back("full-refresh");
        for (const auto& [n, ids] : pipelines) out.push_back(n);
        return out;
    }
};

}  // namespace orrery::workflow
