#pragma once
/// The `release` workflow type: version bump -> changelog -> README marker ->
/// validators -> git commit -> annotated tag -> push (when a remote is set), each a
/// stage running one of the handlers in release_handlers.hpp. A graph file says
///
///   workflow: release
///   adapters: { git: { repo: ".", author_name: ..., author_email: ... }, filesystem: { root: "." } }
///   config:   { release: { part: minor, validators: ["make test"], remote: origin } }
///
/// and may add stages or replace one by id. Its rules (validate): the release
/// configuration is well-formed, the git and filesystem adapters are configured,
/// the version file exists and holds a semantic version, and the working tree has
/// no uncommitted changes to tracked files.

#include "orrery/workflow/config_check.hpp"
#include "orrery/workflow/filesystem_adapter.hpp"
#include "orrery/workflow/git_adapter.hpp"
#include "orrery/workflow/release_handlers.hpp"
#include "orrery/workflow/semver.hpp"
#include "orrery/workflow/workflow_type.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace orrery::workflow::release {

struct ReleaseWorkflow {
    static nlohmann::json config_schema() {
        auto text = [](const char* def, const char* what) { return nlohmann::json{{"type", "string"}, {"default", def}, {"description", what}}; };
        return {{"$schema", "http://json-schema.org/draft-07/schema#"},
                {"title", "release"},
                {"type", "object"},
                {"additionalProperties", false},
                {"properties",
                 {{"version_file", text("VERSION", "File holding the version (relative to the filesystem adapter's root)")},
                  {"version_pattern", text("", "Regex whose first group is the version in version_file (empty: its first word)")},
                  {"part", {{"type", "string"}, {"enum", {"major", "minor", "patch"}}, {"default", "patch"}, {"description", "Part to increment"}}},
                  {"changelog", text("CHANGELOG.md", "Changelog file (created when absent)")},
                  {"changelog_title", text("# Changelog", "First line of a new changelog")},
                  {"date", text("", "Release date for the changelog (empty: today, UTC)")},
                  {"readme", text("README.md", "File with a version marker (empty: no README stage)")},
                  {"readme_pattern", text("[Vv]ersion:? v?([0-9]+\\.[0-9]+\\.[0-9]+[-+.0-9A-Za-z]*)", "Regex of the marker; group 1 is replaced")},
                  {"validators", {{"type", "array"}, {"items", {{"type", "string"}}}, {"default", nlohmann::json::array()},
                                  {"description", "Shell commands that must pass before anything is committed"}}},
                  {"commit_message", text("Release {version}", "Commit message")},
                  {"tag_prefix", text("v", "Tag name = prefix + version")},
                  {"tag_message", text("Release {version}", "Annotated tag message")},
                  {"remote", text("", "Remote to push to (empty: no push stage)")},
                  {"require_clean", {{"type", "boolean"}, {"default", true}, {"description", "Refuse to start with uncommitted changes to tracked files"}}}}}};
    }
    static nlohmann::json defaults() {
        const nlohmann::json schema = config_schema();  // named: items() must not outlive it
        nlohmann::json out = nlohmann::json::object();
        for (const auto& [key, property] : schema.at("properties").items()) out[key] = property.at("default");
        return out;
    }

    /// The stages for a configuration (merged over the defaults here, so a raw one will do).
    static nlohmann::json expand(const nlohmann::json& user_config) {
        const nlohmann::json c = merge_config(defaults(), user_config);
        const nlohmann::json version = {{"version_file", c["version_file"]}, {"version_pattern", c["version_pattern"]}};
        auto stage = [&](const char* id, const char* description, const char* step, nlohmann::json parameters, std::vector<std::string> needs,
                         bool reads_version = true) {
            if (reads_version)
                for (const auto& [k, v] : version.items()) parameters[k] = v;
            return nlohmann::json{{"id", id}, {"description", description}, {"step", step}, {"parameters", std::move(parameters)},
                                  {"needs", std::move(needs)}, {"optional", false}};
        };
        const bool readme = !c["readme"].get<std::string>().empty();
        nlohmann::json stages = nlohmann::json::array();
        stages.push_back(stage("bump_version", "Increment the version", "release_bump_version",
                               {{"part", c["part"]}, {"require_clean", c["require_clean"]}}, {}));
        stages.push_back(stage("changelog", "Add the release's changelog section", "release_changelog",
                               {{"file", c["changelog"]}, {"title", c["changelog_title"]}, {"date", c["date"]}}, {"bump_version"}));
        std::vector<std::string> before_validate{"changelog"};
        if (readme) {
            stages.push_back(stage("readme_version", "Update the README's version marker", "release_readme",
                                   {{"file", c["readme"]}, {"pattern", c["readme_pattern"]}}, {"bump_version"}));
            before_validate.push_back("readme_version");
        }
        stages.push_back(stage("validators", "Run the release checks", "release_validators", {{"commands", c["validators"]}}, before_validate, false));
        nlohmann::json files = {c["version_file"], c["changelog"]};
        if (readme) files.push_back(c["readme"]);
        stages.push_back(stage("git_commit", "Commit the release files", "release_git_commit", {{"files", files}, {"message", c["commit_message"]}},
                               {"validators"}));
        stages.push_back(stage("git_tag", "Tag the release", "release_git_tag", {{"tag_prefix", c["tag_prefix"]}, {"message", c["tag_message"]}},
                               {"git_commit"}));
        if (!c["remote"].get<std::string>().empty()) {
            auto push = stage("git_push", "Push the branch and the tag", "release_git_push", {{"remote", c["remote"]}, {"tag_prefix", c["tag_prefix"]}},
                              {"git_tag"});
            push["optional"] = true;  // the release exists locally; a push can be retried by hand
            stages.push_back(std::move(push));
        }
        return stages;
    }

    /// The rules of a release graph document. Relative adapter paths start at
    /// document["base_dir"] when the loader sets it (the graph file's directory),
    /// else at the current directory.
    static std::vector<std::string> validate(const nlohmann::json& document) {
        std::vector<std::string> problems;
        nlohmann::json user = nlohmann::json::object();
        if (document.contains("config") && document["config"].is_object() && document["config"].contains("release"))
            user = document["config"]["release"];
        if (!user.is_null() && !user.is_object()) return {"config.release: expected a mapping, got " + user.dump()};
        const nlohmann::json c = merge_config(defaults(), user);
        problems = check_against_schema(config_schema(), c, "config.release");
        if (!problems.empty()) return problems;

        const nlohmann::json adapters = document.value("adapters", nlohmann::json::object());
        for (const char* needed : {"git", "filesystem"})
            if (!adapters.is_object() || !adapters.contains(needed))
                problems.push_back(std::string("workflow 'release' needs the '") + needed + "' adapter: add adapters." + needed + " to the graph file");
        if (!problems.empty()) return problems;

        const std::filesystem::path base = document.contains("base_dir") && document["base_dir"].is_string()
                                               ? std::filesystem::path(document["base_dir"].get<std::string>())
                                               : std::filesystem::current_path();
        try {
            auto fs = std::make_shared<FilesystemAdapter>();
            fs->configure(with_base_dir(*fs, adapters["filesystem"], base));
            if (!fs->exists(c["version_file"].get<std::string>())) {
                problems.push_back("config.release.version_file: " + fs->resolve(c["version_file"].get<std::string>()).string() + " does not exist");
            } else {
                (void)detail::read_version(*fs, c["version_file"].get<std::string>(), c["version_pattern"].get<std::string>());
            }
            if (const auto readme = c["readme"].get<std::string>(); !readme.empty() && !fs->exists(readme))
                problems.push_back("config.release.readme: " + fs->resolve(readme).string() + " does not exist (set readme: \"\" for no README stage)");
            auto git = std::make_shared<GitAdapter>();
            git->configure(with_base_dir(*git, adapters["git"], base));
            if (!git->is_repository()) problems.push_back("adapters.git.repo: " + git->repo().string() + " is not a git repository");
            else if (c["require_clean"].get<bool>()) {
                if (const auto dirty = git->status_porcelain(false); !dirty.empty())
                    problems.push_back("the working tree of " + git->repo().string() + " has uncommitted changes (" + dirty.substr(0, dirty.find('\n')) +
                                       "): commit or stash them before a release");
            }
        } catch (const Error& e) {
            problems.emplace_back(e.what());
        }
        return problems;
    }

    static WorkflowType make() {
        WorkflowType type;
        type.name = "release";
        type.description = "Version bump, changelog, README, validators, git commit, tag and push";
        type.config_schema = config_schema();
        type.defaults = defaults();
        type.expand = &ReleaseWorkflow::expand;
        type.validate = &ReleaseWorkflow::validate;
        return type;
    }
};

}  // namespace orrery::workflow::release

ORRERY_REGISTER_WORKFLOW_TYPE(orrery::workflow::release::ReleaseWorkflow)
