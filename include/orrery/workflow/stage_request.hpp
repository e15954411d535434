#pragma once
/// What a stage-graph file hands to a registered step handler, and what the
/// handler hands back. A handler is an ordinary registered step whose input is a
/// StageRequest: the stage's resolved artifact paths, its run directory and its
/// resolved configuration; it returns the files it made (StageArtifacts), which the
/// orchestrator hashes, validates and records in the ledger.

#include <filesystem>
#include <map>
#include <string>

namespace orrery::workflow {

struct StageRequest {
    std::string stage_id{};
    std::filesystem::path base_dir{};                         // relative paths in the graph file start here
    std::filesystem::path run_dir{};                          // this run's scratch and log directory
    std::map<std::string, std::filesystem::path> inputs{};    // declared input artifacts, resolved
    std::map<std::string, std::filesystem::path> outputs{};   // declared output artifacts, resolved
};

struct StageArtifacts {
    std::map<std::string, std::filesystem::path> files{};     // name -> path of every file made
    std::string summary{};                                    // one line for progress and the ledger
};

}  // namespace orrery::workflow
