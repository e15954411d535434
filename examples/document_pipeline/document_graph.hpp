#pragma once
// The document-ingestion graph as data: stage ids, their registered types and
// what each needs. A graph file (or a user's configuration) can describe the same
// thing; here it is built in code.

#include "document_stages.hpp"

#include "orrery/graph/dynamic_graph.hpp"

#include <chrono>
#include <string>

namespace docpipe {

inline orrery::DynamicGraph document_graph(int max_words = 40) {
    using namespace std::chrono_literals;
    orrery::RetryPolicy network;
    network.max_attempts = 4;
    network.initial_backoff = 20ms;
    network.multiplier = 2.0;
    network.max_backoff = 200ms;
    network.jitter = 0.1;
    network.retry_on = [](const orrery::StageFailure& f) { return f.category == "network"; };

    orrery::ParamNode chunking = orrery::ParamNode::map();
    chunking.set("max_words", orrery::ParamNode::scalar(std::to_string(max_words), "--max-words"));

    orrery::DynamicGraph g("document_pipeline");
    g.add({.id = "download", .type = "download", .needs = {"input"}, .retry = network});
    g.add({.id = "ingest", .type = "ingest", .needs = {"download"}});
    g.add({.id = "parse", .type = "parse", .needs = {"ingest"}});
    g.add({.id = "ir_validation", .type = "ir_validation", .needs = {"parse"}});
    g.add({.id = "chunk", .type = "chunk", .needs = {"ir_validation"}, .parameters = chunking});
    g.add({.id = "embed", .type = "embed", .needs = {"chunk"}, .fan_out = true});
    g.add({.id = "index", .type = "index", .needs = {"chunk", "embed"}});
    g.add({.id = "gate", .type = "gate", .needs = {"index"}});
    g.add({.id = "extract", .type = "extract", .needs = {"ir_validation", "gate"}});
    g.add({.id = "knowledge_graph", .type = "knowledge_graph", .needs = {"extract", "chunk"}});
    return g;
}

}  // namespace docpipe
