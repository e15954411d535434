// document_pipeline: ingest a folder of Markdown documents into a search index and
// a knowledge graph, as a stage graph.
//
//   document_pipeline [SOURCE] [OUTPUT_DIR] [--flaky N] [--max-words N] [--continue-on-error]
//
// SOURCE is a file:// URL or a directory (default: the bundled sample); OUTPUT_DIR
// (default: document_pipeline_out) receives knowledge_graph.tsv and ledger.jsonl, one
// JSON line per run. --flaky N makes the first N downloads fail like a flaky network
// (the download stage retries them). A second run over unchanged content stops at
// the gate stage: exit status 1, nothing rewritten.
#include "document_graph.hpp"

#include "orrery/core/events.hpp"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>

#ifndef DOCUMENT_PIPELINE_SAMPLE
#define DOCUMENT_PIPELINE_SAMPLE "sample"
#endif

namespace {

/// One line per finished, skipped or failed stage, and per retry.
class StageLines final : public orrery::Observer {
public:
    void on_event(const orrery::StepEvent& e) override {
        if (e.stage.empty()) return;  // the steps inside stages report too: show stages only
        std::lock_guard lock(mutex_);
        switch (e.kind) {
            case orrery::StepEvent::Kind::finish:
                std::cout << "  " << e.stage << ": done, " << e.output_count << " output(s)" << (e.attempt > 1 ? ", " + std::to_string(e.attempt) + " attempts" : "")
                          << "\n";
                break;
            case orrery::StepEvent::Kind::retry:
                std::cout << "  " << e.stage << ": attempt " << e.attempt << " failed (" << e.message << "), retrying in "
                          << static_cast<int>(e.retry_delay_seconds * 1000) << " ms\n";
                break;
            case orrery::StepEvent::Kind::skip: std::cout << "  " << e.stage << ": skipped (" << e.message << ")\n"; break;
            case orrery::StepEvent::Kind::error: std::cout << "  " << e.stage << ": FAILED (" << e.message << ")\n"; break;
            default: break;
        }
    }

private:
    std::mutex mutex_;
};

std::string json_text(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20) out += ' ';
        else out += c;
    }
    return out + "\"";
}

int usage(const char* message) {
    std::cerr << "document_pipeline: error: " << message << "\n"
              << "usage: document_pipeline [SOURCE] [OUTPUT_DIR] [--flaky N] [--max-words N] [--continue-on-error]\n";
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    std::string source = DOCUMENT_PIPELINE_SAMPLE, output = "document_pipeline_out";
    int flaky = 0, max_words = 40, positional = 0;
    bool keep_going = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        try {
            if (a == "--flaky" && i + 1 < argc) flaky = std::stoi(argv[++i]);
            else if (a == "--max-words" && i + 1 < argc) max_words = std::stoi(argv[++i]);
            else if (a == "--continue-on-error") keep_going = true;
            else if (a.rfind("--", 0) == 0) return usage(("unknown option " + a).c_str());
            else if (positional < 2) (positional++ == 0 ? source : output) = a;
            else return usage("too many arguments");
        } catch (const std::exception&) {
            return usage(("option " + a + " needs an integer").c_str());
        }
    }
    if (source.rfind("file://", 0) != 0) source = "file://" + std::filesystem::absolute(source).lexically_normal().string();
    std::filesystem::create_directories(output);

    orrery::Context ctx;
    ctx.set_logger(nullptr);  // the stage lines below say what happens
    ctx.set_service(std::make_shared<docpipe::FaultInjection>(docpipe::FaultInjection{flaky, 0}));
    ctx.set_service(std::make_shared<docpipe::Workspace>(docpipe::Workspace{output}));
    ctx.add_observer(std::make_shared<StageLines>());
    orrery::GraphOptions options;
    options.on_failure = keep_going ? orrery::FailurePolicy::continue_on_error : orrery::FailurePolicy::fail_fast;

    orrery::GraphResult result;
    try {
        std::cout << "document_pipeline: " << source << " -> " << output << "\n";
        result = docpipe::document_graph(max_words).run(ctx, options, orrery::AnyValue(source));
    } catch (const std::exception& e) {
        std::cerr << "document_pipeline: error: " << e.what() << "\n";
        return 2;
    }

    // The ledger: one JSON line per run, read back by the gate stage next time.
    const auto* gate = ctx.find_state<docpipe::GateDecision>("gate");
    std::string line = "{\"time\":" + std::to_string(std::time(nullptr)) + ",\"status\":\"" + orrery::graph_status_text(result.status) +
                       "\",\"digest\":" + json_text(gate ? gate->digest : "") + ",\"stages\":{";
    for (std::size_t i = 0; i < result.stages.size(); ++i) {
        const auto& s = result.stages[i];
        line += (i ? "," : "") + json_text(s.id) + ":{\"status\":\"" + orrery::stage_status_text(s.status) + "\",\"attempts\":" +
                std::to_string(s.attempts) + ",\"outputs\":" + std::to_string(s.output_count) + "}";
    }
    line += "}}";
    std::ofstream(docpipe::Workspace{output}.ledger(), std::ios::app) << line << "\n";

    std::cout << "document_pipeline: " << orrery::graph_status_text(result.status);
    if (!result.ok())
        for (const auto& id : result.failed_stages()) std::cout << "; " << id << ": " << result.stage(id).message;
    std::cout << "\n";
    return result.status == orrery::GraphStatus::failed ? 1 : 0;
}
