// The release workflow type end to end on a REAL temporary git repository: the
// expanded stages' handlers run in order through the registry, making a real
// commit and an annotated tag and pushing them to a local bare repository; a
// failing validator stops the release before anything is committed. Also the git
// adapter's errors, the type's validate rules and semantic versions.

#include "orrery/workflow/adapter_set.hpp"
#include "orrery/workflow/child_process.hpp"
#include "orrery/workflow/release_workflow.hpp"
#include "orrery/workflow/step_handler.hpp"
#include "orrery/workflow/document.hpp"
#include "../support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using Catch::Matchers::Contains;
using orrery::workflow::AdapterSet;
using orrery::workflow::GitAdapter;
using orrery::workflow::Semver;
namespace fs = std::filesystem;

namespace {

// The machine's git configuration must not matter: no system file, HOME in the scratch directory.
void isolate_git(const fs::path& home) {
    ::setenv("HOME", home.c_str(), 1);
    ::setenv("XDG_CONFIG_HOME", (home / ".config").c_str(), 1);
    ::setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    // the scratch directory lies inside the project's own work tree: git must not find that
    ::setenv("GIT_CEILING_DIRECTORIES", home.c_str(), 1);
    ::unsetenv("GIT_DIR");
    ::unsetenv("GIT_WORK_TREE");
}

std::string git(const fs::path& dir, std::vector<std::string> args) {
    orrery::workflow::ProcessSpec spec;
    spec.program = "git";
    spec.args = {"-C", dir.string(), "-c", "user.name=Test Setup", "-c", "user.email=setup@example.org"};
    spec.args.insert(spec.args.end(), args.begin(), args.end());
    spec.env = {{"LC_ALL", "C"}};
    const auto r = orrery::workflow::run_process(spec);
    if (!r.ok()) throw std::runtime_error("test setup: git failed: " + r.output);
    std::string out = r.output;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }
std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// repo/ with VERSION 1.2.3 tagged v1.2.3, one commit after the tag, and remote.git as origin.
struct ReleaseRepo {
    orrery::test::TempDir dir{"orrery_wf_release"};
    fs::path repo = dir / "repo";
    fs::path remote = dir / "remote.git";
    fs::path run_dir = dir / "run";
    std::string feature_commit;

    ReleaseRepo() {
        isolate_git(dir.path());
        fs::create_directories(repo);
        git(repo, {"init", "-q", "-b", "main"});
        write(repo / "VERSION", "1.2.3\n");
        write(repo / "README.md", "# Demo\n\nVersion: 1.2.3\n\nInstall demo-1.2.3.tar.gz\n");
        git(repo, {"add", "VERSION", "README.md"});
        git(repo, {"commit", "-q", "-m", "Initial commit"});
        git(repo, {"tag", "-a", "v1.2.3", "-m", "Release 1.2.3"});
        write(repo / "feature.txt", "x\n");
        git(repo, {"add", "feature.txt"});
        git(repo, {"commit", "-q", "-m", "Add feature X"});
        feature_commit = git(repo, {"log", "-1", "--format=%h"});
        git(dir, {"init", "-q", "--bare", remote.string()});
        git(repo, {"remote", "add", "origin", remote.string()});
    }

    [[nodiscard]] nlohmann::json adapters() const {
        return {{"git", {{"repo", repo.string()}, {"remote", "origin"}, {"author_name", "Release Bot"}, {"author_email", "bot@example.org"}}},
                {"filesystem", {{"root", repo.string()}}}};
    }
    [[nodiscard]] nlohmann::json document(const nlohmann::json& release) const {
        return {{"workflow", "release"}, {"adapters", adapters()}, {"config", {{"release", release}}}};
    }

    /// Expand the type and run every stage's handler in order, as the runner will.
    std::vector<std::string> run_release(const nlohmann::json& release, orrery::Context& ctx) const {
        const auto& type = orrery::workflow::workflow_types().get("release");
        std::vector<std::string> summaries;
        for (const auto& stage : type.expand(release)) {
            orrery::workflow::StageRequest request;
            request.stage_id = stage["id"].get<std::string>();
            request.base_dir = repo;
            request.run_dir = run_dir;
            summaries.push_back(orrery::workflow::run_step_handler(stage["step"].get<std::string>(), stage["parameters"], request, ctx).summary);
        }
        return summaries;
    }
};

}  // namespace

TEST_CASE("the example graph file examples/graphs/release/release.yaml releases a scratch repository") {
    const ReleaseRepo r;
    orrery::Context ctx;
    ctx.set_logger(std::make_shared<orrery::NullLogger>());
    const fs::path file = fs::path(ORRERY_TEST_DATA_DIR) / "../../examples/graphs/release/release.yaml";
    nlohmann::json document = orrery::workflow::parse_document(read(file), file).value;
    REQUIRE(document["workflow"] == "release");
    // the file's relative adapter paths start at its directory: here, the scratch repository
    document["base_dir"] = r.repo.string();
    const auto& type = orrery::workflow::workflow_types().get(document["workflow"].get<std::string>());
    CHECK(type.validate(document).empty());
    const auto adapters = AdapterSet::from_json(document["adapters"], ctx, r.repo);
    CHECK(adapters.value("git", "repo") == r.repo.string());
    CHECK(adapters.value("filesystem", "root") == fs::canonical(r.repo).string());

    nlohmann::json release = document["config"]["release"];
    release["date"] = "2026-12-03";
    r.run_release(release, ctx);
    CHECK(read(r.repo / "VERSION") == "1.3.0\n");
    CHECK(git(r.repo, {"log", "-1", "--format=%s|%an"}) == "Release 1.3.0|Release Bot");
    CHECK(git(r.repo, {"cat-file", "-t", "v1.3.0"}) == "tag");
    CHECK(git(r.remote, {"rev-parse", "refs/tags/v1.3.0^{commit}"}) == git(r.repo, {"rev-parse", "HEAD"}));
    // the file's own stage comes after the type's
    REQUIRE(document["stages"].size() == 1);
    CHECK(document["stages"][0]["needs"] == nlohmann::json{"git_tag"});
}

TEST_CASE("semantic versions parse strictly and bump by part") {
    CHECK(Semver::parse("1.2.3")->to_string() == "1.2.3");
    CHECK(Semver::parse("10.0.1-rc.1+build.5")->prerelease == "rc.1");
    CHECK(Semver::parse("1.2.3")->bumped("major").to_string() == "2.0.0");
    CHECK(Semver::parse("1.2.3")->bumped("minor").to_string() == "1.3.0");
    CHECK(Semver::parse("1.2.3")->bumped("patch").to_string() == "1.2.4");
    CHECK(Semver::parse("1.2.3-rc.1")->bumped("patch").to_string() == "1.2.3");
    for (const char* bad : {"1.2", "1.2.3.4", "01.2.3", "1.2.x", "", "v1.2.3", "1.2.3-", "1.2.3-01", "1..3"}) {
        INFO(bad);
        CHECK_FALSE(Semver::parse(bad).has_value());
    }
    CHECK_THROWS_WITH(Semver::parse("1.2.3")->bumped("micro"), "version part 'micro' is not one of major, minor, patch");
    CHECK_THROWS_WITH(Semver::parse_or_throw("1.2", "VERSION"), Contains("VERSION: '1.2' is not a semantic version"));
}

TEST_CASE("the release type expands to its stages in graph-file syntax") {
    const auto& type = orrery::workflow::workflow_types().get("release");
    CHECK(type.defaults["part"] == "patch");
    CHECK(type.config_schema["additionalProperties"] == false);
    const auto stages = type.expand({{"validators", {"make test"}}, {"remote", "origin"}, {"part", "minor"}});
    std::vector<std::string> ids;
    for (const auto& s : stages) ids.push_back(s["id"].get<std::string>());
    CHECK(ids == std::vector<std::string>{"bump_version", "changelog", "readme_version", "validators", "git_commit", "git_tag", "git_push"});
    CHECK(stages[0]["step"] == "release_bump_version");
    CHECK(stages[0]["parameters"]["part"] == "minor");
    CHECK(stages[3]["needs"] == nlohmann::json{"changelog", "readme_version"});
    CHECK(stages[3]["parameters"]["commands"] == nlohmann::json{"make test"});
    CHECK(stages[4]["parameters"]["files"] == nlohmann::json{"VERSION", "CHANGELOG.md", "README.md"});
    CHECK(stages[6]["optional"] == true);
    CHECK(stages[5]["optional"] == false);
    // every stage names a registered handler and parameters it accepts
    for (const auto& s : stages) {
        const auto& info = orrery::Registry::instance().get(s["step"].get<std::string>());
        CHECK(orrery::workflow::is_step_handler(info));
        CHECK(orrery::workflow::validate_config(info, s["parameters"]).empty());
    }
    // no remote: no push stage; no README: no README stage
    const auto local = type.expand({{"readme", ""}});
    CHECK(local.size() == 5);
    for (const auto& s : local) CHECK(s["id"] != "git_push");
    CHECK(local[2]["needs"] == nlohmann::json{"changelog"});
    CHECK_THROWS_WITH(orrery::workflow::workflow_types().get("relase"), "unknown workflow type 'relase' (did you mean 'release'?)");
    orrery::workflow::WorkflowType twin;
    twin.name = "release_twin";
    twin.origin = "x.hpp:1";
    orrery::workflow::workflow_types().add(twin);
    twin.origin = "y.hpp:2";
    orrery::workflow::workflow_types().add(twin);
    CHECK_THROWS_WITH(orrery::workflow::workflow_types().get("release_twin"), "workflow type 'release_twin' is registered twice: x.hpp:1 and y.hpp:2");
}

TEST_CASE("a release on a real git repository: version, changelog, README, commit, annotated tag, push") {
    const ReleaseRepo r;
    orrery::Context ctx;
    ctx.set_logger(std::make_shared<orrery::NullLogger>());
    const auto& type = orrery::workflow::workflow_types().get("release");
    const nlohmann::json release = {{"part", "minor"},
                                    {"date", "2026-12-03"},
                                    {"validators", {"test -f VERSION", "grep -q '^1.3.0$' VERSION"}},
                                    {"remote", "origin"}};
    CHECK(type.validate(r.document(release)).empty());
    const AdapterSet adapters({{"git", r.adapters()["git"]}, {"filesystem", r.adapters()["filesystem"]}}, ctx);
    const std::string head_before = git(r.repo, {"rev-parse", "HEAD"});

    const auto summaries = r.run_release(release, ctx);
    REQUIRE(summaries.size() == 7);
    CHECK(summaries[0] == "1.2.3 -> 1.3.0");
    CHECK(summaries[6] == "pushed main and v1.3.0 to origin");

    CHECK(read(r.repo / "VERSION") == "1.3.0\n");
    CHECK(read(r.repo / "CHANGELOG.md") == "# Changelog\n\n## 1.3.0 — 2026-12-03\n\n- " + r.feature_commit + " Add feature X\n\n");
    CHECK(read(r.repo / "README.md") == "# Demo\n\nVersion: 1.3.0\n\nInstall demo-1.2.3.tar.gz\n");
    // a real commit on top of the previous HEAD, by the configured author, with the three files
    CHECK(git(r.repo, {"log", "-1", "--format=%s|%an|%ae"}) == "Release 1.3.0|Release Bot|bot@example.org");
    CHECK(git(r.repo, {"rev-parse", "HEAD~1"}) == head_before);
    CHECK(git(r.repo, {"show", "--name-only", "--format=", "HEAD"}) == "CHANGELOG.md\nREADME.md\nVERSION");
    CHECK(git(r.repo, {"status", "--porcelain"}).empty());
    // an annotated tag on it
    CHECK(git(r.repo, {"tag", "--list"}) == "v1.2.3\nv1.3.0");
    CHECK(git(r.repo, {"cat-file", "-t", "v1.3.0"}) == "tag");
    CHECK(git(r.repo, {"rev-parse", "v1.3.0^{commit}"}) == git(r.repo, {"rev-parse", "HEAD"}));
    CHECK(git(r.repo, {"tag", "-l", "--format=%(contents:subject)|%(taggername)", "v1.3.0"}) == "Release 1.3.0|Release Bot");
    // pushed: the bare remote has the branch and the tag
    CHECK(git(r.remote, {"rev-parse", "refs/heads/main"}) == git(r.repo, {"rev-parse", "HEAD"}));
    CHECK(git(r.remote, {"cat-file", "-t", "refs/tags/v1.3.0"}) == "tag");
    // the validators' output is kept in the run directory
    CHECK_THAT(read(r.run_dir / "validators.log"), Contains("$ grep -q '^1.3.0$' VERSION"));
    CHECK(ctx.service<GitAdapter>().value("head") == git(r.repo, {"rev-parse", "HEAD"}));

    SECTION("a second release prepends its section; nothing changed since the last tag") {
        const auto again = r.run_release({{"part", "patch"}, {"date", "2026-12-04"}}, ctx);
        CHECK(again[0] == "1.3.0 -> 1.3.1");
        CHECK(read(r.repo / "CHANGELOG.md") == "# Changelog\n\n## 1.3.1 — 2026-12-04\n\n- (no changes)\n\n## 1.3.0 — 2026-12-03\n\n- " +
                                                 r.feature_commit + " Add feature X\n\n");
        CHECK(git(r.repo, {"describe", "--tags"}) == "v1.3.1");
        // without remote: no push stage; the remote still has 1.3.0
        CHECK(git(r.remote, {"tag", "--list"}) == "v1.3.0");
    }
    SECTION("releasing a version the changelog already has fails before any commit") {
        write(r.repo / "VERSION", "1.2.9\n");
        git(r.repo, {"commit", "-q", "-am", "Go back"});
        const std::string head = git(r.repo, {"rev-parse", "HEAD"});
        CHECK_THROWS_WITH(r.run_release({{"part", "minor"}, {"date", "2026-12-05"}}, ctx), Contains("already has a section for 1.3.0"));
        CHECK(git(r.repo, {"rev-parse", "HEAD"}) == head);
        CHECK(git(r.repo, {"tag", "--list"}) == "v1.2.3\nv1.3.0");
    }
}

TEST_CASE("a failing validator stops the release before anything is committed") {
    const ReleaseRepo r;
    orrery::Context ctx;
    ctx.set_logger(std::make_shared<orrery::NullLogger>());
    const AdapterSet adapters({{"git", r.adapters()["git"]}, {"filesystem", r.adapters()["filesystem"]}}, ctx);
    const std::string head_before = git(r.repo, {"rev-parse", "HEAD"});
    const std::string count_before = git(r.repo, {"rev-list", "--count", "HEAD"});
    const nlohmann::json release = {{"validators", {"echo checking", "echo 'tests failed: 3 of 10' && exit 3", "touch should-not-run"}},
                                    {"remote", "origin"}};
    try {
        r.run_release(release, ctx);
        FAIL("the release should have failed");
    } catch (const orrery::Error& e) {  // run_step re-throws with the step's name, keeping the category
        CHECK(e.category() == orrery::ErrorCategory::step_failed);
        CHECK(std::string(e.what()) == "step 'release_validators': release: validator `echo 'tests failed: 3 of 10' && exit 3` failed (exit code 3): tests failed: 3 of 10");
    }
    CHECK_FALSE(fs::exists(r.repo / "should-not-run"));
    CHECK(git(r.repo, {"rev-parse", "HEAD"}) == head_before);
    CHECK(git(r.repo, {"rev-list", "--count", "HEAD"}) == count_before);
    CHECK(git(r.repo, {"tag", "--list"}) == "v1.2.3");
    CHECK(git(r.remote, {"tag", "--list"}).empty());
    CHECK(read(r.repo / "VERSION") == "1.2.4\n");  // bumped in the working tree only
}

TEST_CASE("release validate rules: adapters, version file, part, clean working tree") {
    const ReleaseRepo r;
    const auto& type = orrery::workflow::workflow_types().get("release");
    CHECK(type.validate(r.document(nlohmann::json::object())).empty());
    CHECK(type.validate(r.document({{"part", "huge"}})) ==
          std::vector<std::string>{R"(config.release.part: "huge" is not one of ["major","minor","patch"])"});
    CHECK(type.validate(r.document({{"prat", "minor"}})) ==
          std::vector<std::string>{"config.release: unknown key 'prat' (did you mean 'part'?)"});
    CHECK_THAT(type.validate(r.document({{"version_file", "VERSION.txt"}})).at(0), Contains("config.release.version_file: ") && Contains("VERSION.txt does not exist"));
    CHECK_THAT(type.validate(r.document({{"readme", "READ.md"}})).at(0), Contains("READ.md does not exist"));
    nlohmann::json no_git = r.document(nlohmann::json::object());
    no_git["adapters"].erase("git");
    CHECK(type.validate(no_git) == std::vector<std::string>{"workflow 'release' needs the 'git' adapter: add adapters.git to the graph file"});
    // relative adapter paths start at the document's base_dir
    nlohmann::json relative = r.document(nlohmann::json::object());
    relative["base_dir"] = r.dir.path().string();
    relative["adapters"]["git"]["repo"] = "repo";
    relative["adapters"]["filesystem"]["root"] = "repo";
    CHECK(type.validate(relative).empty());

    write(r.repo / "VERSION", "1.2\n");
    CHECK_THAT(type.validate(r.document(nlohmann::json::object())).at(0), Contains("'1.2' is not a semantic version"));
    write(r.repo / "VERSION", "1.2.3\n");
    write(r.repo / "README.md", "changed\n");
    write(r.repo / "untracked.txt", "untracked files do not matter\n");
    const auto dirty = type.validate(r.document(nlohmann::json::object()));
    REQUIRE(dirty.size() == 1);
    CHECK_THAT(dirty[0], Contains("has uncommitted changes ( M README.md)"));
    CHECK(type.validate(r.document({{"require_clean", false}})).empty());
    // the handler refuses too, when run without validation
    orrery::Context ctx;
    ctx.set_logger(std::make_shared<orrery::NullLogger>());
    const AdapterSet adapters({{"git", r.adapters()["git"]}, {"filesystem", r.adapters()["filesystem"]}}, ctx);
    CHECK_THROWS_WITH(r.run_release(nlohmann::json::object(), ctx), Contains("has uncommitted changes ( M README.md)"));
    CHECK(read(r.repo / "VERSION") == "1.2.3\n");
}

TEST_CASE("git adapter: errors carry git's own message") {
    const orrery::test::TempDir dir("orrery_wf_git");
    isolate_git(dir.path());
    fs::create_directories(dir / "plain");
    orrery::Context ctx;
    ctx.set_logger(std::make_shared<orrery::NullLogger>());
    CHECK_THROWS_AS(AdapterSet({{"git", {{"repo", (dir / "plain").string()}}}}, ctx), orrery::ConfigError);
    CHECK_THROWS_WITH(AdapterSet({{"git", {{"repo", (dir / "plain").string()}}}}, ctx),
                      "adapter 'git': " + (dir / "plain").string() + " is not a git repository (config.repo)");
    CHECK_THROWS_WITH(AdapterSet({{"git", {{"program", "no-such-git-program"}}}}, ctx),
                      "adapter 'git': the program 'no-such-git-program' is not found (config.program, PATH)");
    CHECK_THROWS_WITH(AdapterSet({{"git", {{"rpo", "."}}}}, ctx), "adapter 'git': config: unknown key 'rpo' (did you mean 'repo'?)");

    auto plain = std::make_shared<GitAdapter>();
    plain->configure({{"repo", (dir / "plain").string()}});
    CHECK_FALSE(plain->is_repository());
    CHECK_THROWS_AS(plain->head(), orrery::StepError);
    CHECK_THROWS_WITH(plain->head(), "git rev-parse HEAD (in " + (dir / "plain").string() +
                                         "): fatal: not a git repository (or any of the parent directories): .git");

    fs::create_directories(dir / "repo");
    git(dir / "repo", {"init", "-q", "-b", "trunk"});
    const AdapterSet set({{"git", {{"repo", (dir / "repo").string()}, {"author_name", "A"}, {"author_email", "a@example.org"}}}}, ctx);
    auto& repo = ctx.service<GitAdapter>();
    CHECK(repo.is_repository());
    CHECK(repo.current_branch() == "trunk");
    CHECK(set.value("git", "branch") == "trunk");
    CHECK(set.value("git", "remote").empty());
    CHECK(set.value("git", "repo") == (dir / "repo").string());
    CHECK_THROWS_WITH(repo.commit("empty"), Contains("git commit --quiet -m empty (in ") && Contains("nothing to commit"));
    CHECK_THROWS_WITH(repo.add({"missing.txt"}), Contains("fatal: pathspec 'missing.txt' did not match any files"));
    write(dir / "repo/a.txt", "a\n");
    CHECK(repo.status_porcelain() == "?? a.txt\n");
    CHECK(repo.status_porcelain(false).empty());
    repo.add({"a.txt"});
    const std::string sha = repo.commit("First");
    CHECK(sha == repo.head());
    CHECK(sha.size() == 40);
    CHECK(repo.last_tag() == std::nullopt);
    repo.tag("v0.1.0", "first tag");
    CHECK(repo.tags() == std::vector<std::string>{"v0.1.0"});
    CHECK(repo.last_tag() == "v0.1.0");
    CHECK(repo.log_oneline(std::string("v0.1.0")).empty());
    CHECK(repo.log_oneline().size() == 1);
    CHECK_THROWS_WITH(repo.tag("v0.1.0", "again"), Contains("fatal: tag 'v0.1.0' already exists"));
    CHECK_THROWS_WITH(repo.push("nowhere", "trunk"), Contains("git push --quiet nowhere trunk") && Contains("nowhere"));
}
