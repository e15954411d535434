#pragma once
/// Caching and resume decisions, both read from the run ledgers.
///  * A stage is fresh (skipped as `cached` unless --force) when its last success,
///    in any run, had the same fingerprint — the resolved stage (command, args,
///    env, cwd, runtime, or step + parameters, after substitution) and its input
///    hashes — and every declared output still has the hash recorded then.
///  * `--resume` skips the stages whose last record in the resumed run says they
///    are done (succeeded, cached or resumed); everything else runs again.

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "orrery/core/errors.hpp"
#include "orrery/workflow/artifacts.hpp"
#include "orrery/workflow/run_ledger.hpp"
#include "orrery/workflow/sha256.hpp"

namespace orrery::workflow {

/// sha256 of the resolved stage as canonical JSON (nlohmann sorts object keys)
/// and of its inputs' names and hashes, in name order.
inline std::string stage_fingerprint(const nlohmann::json& resolved_stage, const std::vector<ArtifactRecord>& inputs) {
    Sha256 h;
    h.update("orrery-stage-fingerprint-1\n");  // versioned: a change of scheme invalidates old entries
    h.update(resolved_stage.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    std::vector<std::pair<std::string, std::string>> hashes;
    for (const auto& input : inputs) hashes.emplace_back(input.name, input.sha256);
    std::sort(hashes.begin(), hashes.end());
    for (const auto& [name, sha] : hashes) {
        h.update("\n");
        h.update(name);
        h.update("\0", 1);
        h.update(sha);
    }
    return h.hex_digest();
}

/// A stage's last success as the ledgers recorded it.
struct CachedStage {
    std::string fingerprint{};
    std::string run_id{};
    std::string time{};
    std::vector<ArtifactRecord> outputs{};
};

class StageCache {
public:
    /// Reads every ledger in `ledger_dir`, oldest run first, keeping per stage the
    /// last "succeeded" record that has a fingerprint. A ledger that cannot be read
    /// does not stop the run (its stages just run again): it is listed in problems().
    static StageCache load(const std::filesystem::path& ledger_dir) {
        StageCache cache;
        for (const auto& run : list_runs(ledger_dir)) {
            if (!run.problem.empty()) {
                cache.problems_.push_back(run.problem);
                continue;
            }
            std::vector<nlohmann::json> records;
            try {
                records = read_ledger(run.path);
            } catch (const Error& e) {  // changed since list_runs read it
                cache.problems_.push_back(e.what());
                continue;
            }
            for (const auto& r : records) cache.add(r, run.run_id);
        }
        return cache;
    }

    /// Takes one ledger record into account (load() feeds them in run order; the
    /// orchestrator can feed the records of the run in progress).
    void add(const nlohmann::json& record, const std::string& run_id) {
        if (record.value("record", std::string{}) != "stage" || record.value("status", std::string{}) != "succeeded") return;
        const auto fingerprint = record.find("fingerprint");
        const auto stage = record.find("stage");
        if (fingerprint == record.end() || !fingerprint->is_string() || stage == record.end() || !stage->is_string()) return;
        CachedStage entry;
        entry.fingerprint = fingerprint->get<std::string>();
        entry.run_id = run_id;
        entry.time = record.value("time", std::string{});
        if (const auto artifacts = record.find("artifacts"); artifacts != record.end() && artifacts->is_array())
            for (const auto& a : *artifacts)
                if (a.is_object()) entry.outputs.push_back(ArtifactRecord::from_json(a));
        stages_[stage->get<std::string>()] = std::move(entry);
    }

    /// Why the stage must run, or nothing when its last success still stands.
    /// `outputs`: the stage's declared output artifacts (name, resolved path).
    [[nodiscard]] std::optional<std::string> stale_reason(const std::string& stage_id, const std::string& fingerprint,
                                                          const std::vector<std::pair<std::string, std::filesystem::path>>& outputs) const {
        const auto it = stages_.find(stage_id);
        if (it == stages_.end()) return "no earlier success";
        const CachedStage& last = it->second;
        if (last.fingerprint != fingerprint) return "command, parameters or inputs changed since run " + last.run_id;
        for (const auto& [name, path] : outputs) {
            const auto recorded = std::find_if(last.outputs.begin(), last.outputs.end(), [&wanted = name](const ArtifactRecord& a) { return a.name == wanted; });
            if (recorded == last.outputs.end()) return "output '" + name + "' was not recorded in run " + last.run_id;
            std::error_code ec;
            if (!std::filesystem::exists(path, ec)) return "output '" + name + "' (" + path.string() + ") is missing";
            // Same size first: a cheap no before hashing a large file.
            if (!recorded->directory && std::filesystem::is_regular_file(path, ec) && std::filesystem::file_size(path, ec) != recorded->bytes)
                return "output '" + name + "' (" + path.string() + ") changed since run " + last.run_id;
            try {
                if (hash_artifact(name, path).sha256 != recorded->sha256)
                    return "output '" + name + "' (" + path.string() + ") changed since run " + last.run_id;
            } catch (const Error&) {
                return "output '" + name + "' (" + path.string() + ") cannot be read";
            }
        }
        return std::nullopt;
    }

    [[nodiscard]] bool is_fresh(const std::string& stage_id, const std::string& fingerprint,
                                const std::vector<std::pair<std::string, std::filesystem::path>>& outputs) const {
        return !stale_reason(stage_id, fingerprint, outputs).has_value();
    }

    /// The stage's last success, if any.
    [[nodiscard]] const CachedStage* last_success(const std::string& stage_id) const {
        const auto it = stages_.find(stage_id);
        return it == stages_.end() ? nullptr : &it->second;
    }

    /// Ledgers that could not be read (one line each, naming file:line).
    [[nodiscard]] const std::vector<std::string>& problems() const noexcept { return problems_; }

private:
    std::map<std::string, CachedStage> stages_{};
    std::vector<std::string> problems_{};
};

/// The stages a resumed run skips: those whose last record in that run is
/// succeeded, cached or resumed. A stage last seen "started" (the run was killed
/// in it), failed or skipped runs again.
inline std::set<std::string> stages_done(const std::vector<nlohmann::json>& ledger_records) {
    std::map<std::string, std::string> last;
    for (const auto& r : ledger_records)
        if (r.value("record", std::string{}) == "stage")
            if (const auto stage = r.find("stage"); stage != r.end() && stage->is_string())
                last[stage->get<std::string>()] = r.value("status", std::string{});
    std::set<std::string> done;
    for (const auto& [stage, status] : last)
        if (status == "succeeded" || status == "cached" || status == "resumed") done.insert(stage);
    return done;
}

}  // namespace orrery::workflow
