#pragma once
// The stages of a document-ingestion graph: download (from a file:// source, with
// retries on transient faults) -> ingest -> parse -> ir_validation -> chunk ->
// embed (fanned out over the chunks) -> index -> gate -> extract -> knowledge_graph.
// Each stage is a plain orrery step registered with ORRERY_REGISTER_STAGE; state
// keys and output counters are declared on the step types.

#include "orrery/graph/register_stage.hpp"
#include "orrery/graph/named_inputs.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace docpipe {

// ---- values flowing between stages -------------------------------------------------
struct Document {
    std::string name;
    std::string text;
};
struct Section {
    std::string heading;
    std::string text;
};
struct ParsedDocument {
    std::string name;
    std::string title;
    std::vector<Section> sections;
};
struct Chunk {
    std::size_t id = 0;
    std::string document;
    std::string heading;
    std::string text;
};
constexpr std::size_t embedding_size = 32;
struct Embedding {
    std::size_t chunk = 0;
    std::array<float, embedding_size> vector{};
};
struct SearchIndex {
    std::map<std::string, std::set<std::size_t>> postings;  // term -> chunk ids
    std::vector<Embedding> embeddings;
};
struct GateDecision {
    std::string digest;  // of the documents this run indexed
};
struct Entity {
    std::string name;
    std::size_t mentions = 0;
};
struct KnowledgeGraph {
    std::vector<std::pair<std::string, std::string>> edges;  // entities mentioned in one chunk
    std::filesystem::path written;
};

// ---- services the stages share (registered once per run on the context) ------------
/// Makes the first `transient_failures` downloads fail as a flaky network would.
struct FaultInjection {
    int transient_failures = 0;
    int seen = 0;
};
/// Where products and the run ledger live.
struct Workspace {
    std::filesystem::path output_dir;
    [[nodiscard]] std::filesystem::path ledger() const { return output_dir / "ledger.jsonl"; }
};

// ---- helpers ---------------------------------------------------------------------------
inline std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 1469598103934665603ull) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return h;
}
inline std::string hex(std::uint64_t v) {
    std::ostringstream o;
    o << std::hex << v;
    return o.str();
}
inline std::vector<std::string> words_of(const std::string& text) {
    std::vector<std::string> out;
    std::string w;
    for (char c : text + " ") {
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '\'') w += c;
        else if (!w.empty()) out.push_back(std::exchange(w, {}));
    }
    return out;
}
inline std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}
inline std::string content_digest(const std::vector<Document>& docs) {
    std::uint64_t h = fnv1a("documents");
    for (const auto& d : docs) h = fnv1a(d.text, fnv1a(d.name, h));
    return "fnv1a64:" + hex(h);
}

// ---- stages ------------------------------------------------------------------------------
struct Download {
    static constexpr std::string_view name = "download";
    static constexpr std::string_view description = "Reads every .md document of a file:// source";
    using Params = orrery::NoParams;
    static orrery::StageResult<std::vector<Document>> process(const std::string& source, const Params&, orrery::Context& ctx) {
        using Result = orrery::StageResult<std::vector<Document>>;
        if (auto* faults = ctx.find_service<FaultInjection>(); faults && faults->seen++ < faults->transient_failures)
            return Result::failure("connection reset while reading " + source, "network");
        constexpr std::string_view scheme = "file://";
        if (source.rfind(scheme, 0) != 0) return Result::failure("source '" + source + "' is not a file:// URL", "input-data");
        const std::filesystem::path dir = source.substr(scheme.size());
        std::error_code ec;
        if (!std::filesystem::is_directory(dir, ec)) return Result::failure("source " + dir.string() + " is not a directory", "input-data");
        std::vector<std::filesystem::path> files;
        for (const auto& e : std::filesystem::directory_iterator(dir))
            if (e.is_regular_file() && e.path().extension() == ".md") files.push_back(e.path());
        std::sort(files.begin(), files.end());
        std::vector<Document> docs;
        for (const auto& f : files) {
            std::ifstream in(f, std::ios::binary);
            std::stringstream text;
            text << in.rdbuf();
            if (!in) return Result::failure("cannot read " + f.string(), "input-data");
            docs.push_back({f.filename().string(), text.str()});
        }
        return Result::success(std::move(docs));
    }
};

struct Ingest {
    static constexpr std::string_view name = "ingest";
    static constexpr std::string_view description = "Normalises line endings and drops empty documents";
    static constexpr std::string_view state_key = "documents";  // the default handler stores the output here
    using Params = orrery::NoParams;
    static std::vector<Document> process(std::vector<Document> docs, const Params&, orrery::Context&) {
        std::vector<Document> out;
        for (auto& d : docs) {
            d.text.erase(std::remove(d.text.begin(), d.text.end(), '\r'), d.text.end());
            if (d.text.find_first_not_of(" \n\t") != std::string::npos) out.push_back(std::move(d));
        }
        return out;
    }
};

struct Parse {
    static constexpr std::string_view name = "parse";
    static constexpr std::string_view description = "Splits each document into its title and '## ' sections";
    using Params = orrery::NoParams;
    static std::vector<ParsedDocument> process(const std::vector<Document>& docs, const Params&, orrery::Context&) {
        std::vector<ParsedDocument> out;
        for (const auto& d : docs) {
            ParsedDocument p{d.name, {}, {}};
            std::istringstream in(d.text);
            for (std::string line; std::getline(in, line);) {
                if (line.rfind("# ", 0) == 0 && p.title.empty()) p.title = line.substr(2);
                else if (line.rfind("## ", 0) == 0) p.sections.push_back({line.substr(3), {}});
                else if (!line.empty()) {
                    if (p.sections.empty()) p.sections.push_back({"", {}});
                    p.sections.back().text += (p.sections.back().text.empty() ? "" : " ") + line;
                }
            }
            out.push_back(std::move(p));
        }
        return out;
    }
};

struct IrValidation {
    static constexpr std::string_view name = "ir_validation";
    static constexpr std::string_view description = "Refuses documents without a title or any text";
    using Params = orrery::NoParams;
    static orrery::StageResult<std::vector<ParsedDocument>> process(std::vector<ParsedDocument> docs, const Params&, orrery::Context&) {
        for (const auto& d : docs) {
            if (d.title.empty()) return orrery::StageResult<std::vector<ParsedDocument>>::failure(d.name + ": no '# ' title line", "validation");
            if (d.sections.empty()) return orrery::StageResult<std::vector<ParsedDocument>>::failure(d.name + ": no text", "validation");
        }
        return orrery::StageResult<std::vector<ParsedDocument>>::success(std::move(docs));
    }
};

struct ChunkParams {
    int max_words = 40;
    ORRERY_REFLECT(ChunkParams, (max_words, "Most words in one chunk", orrery::min(5)))
};
struct ChunkStage {
    static constexpr std::string_view name = "chunk";
    static constexpr std::string_view description = "Cuts sections into chunks of at most max_words words";
    static constexpr std::string_view state_key = "chunk_count";
    using Params = ChunkParams;
    static std::vector<Chunk> process(const std::vector<ParsedDocument>& docs, const Params& p, orrery::Context&) {
        std::vector<Chunk> out;
        for (const auto& d : docs)
            for (const auto& s : d.sections) {
                const auto w = words_of(s.text);
                for (std::size_t at = 0; at < w.size(); at += static_cast<std::size_t>(p.max_words)) {
                    Chunk c{out.size(), d.name, s.heading, {}};
                    for (std::size_t k = at; k < w.size() && k < at + static_cast<std::size_t>(p.max_words); ++k) c.text += (k > at ? " " : "") + w[k];
                    out.push_back(std::move(c));
                }
            }
        return out;
    }
    /// The state key holds the number of chunks, not the chunks.
    static void apply_output(const std::vector<Chunk>& chunks, orrery::Context& ctx) { ctx.set_state("chunk_count", chunks.size()); }
};

struct Embed {
    static constexpr std::string_view name = "embed";
    static constexpr std::string_view description = "A hashed bag-of-words vector of one chunk, unit length";
    using Params = orrery::NoParams;
    static Embedding process(const Chunk& c, const Params&, orrery::Context&) {
        Embedding e{c.id, {}};
        for (const auto& w : words_of(c.text)) e.vector[fnv1a(lower(w)) % embedding_size] += 1.0f;
        float norm = 0;
        for (float v : e.vector) norm += v * v;
        if (norm > 0)
            for (float& v : e.vector) v /= std::sqrt(norm);
        return e;
    }
};

struct IndexInputs {
    BOOST_HANA_DEFINE_STRUCT(IndexInputs, (std::vector<Chunk>, chunk), (std::vector<Embedding>, embed));
};
struct Index {
    static constexpr std::string_view name = "index";
    static constexpr std::string_view description = "An inverted index of the chunks' terms, with their vectors";
    using Params = orrery::NoParams;
    static SearchIndex process(IndexInputs in, const Params&, orrery::Context&) {
        SearchIndex index;
        for (const auto& c : in.chunk)
            for (const auto& w : words_of(c.text)) index.postings[lower(w)].insert(c.id);
        index.embeddings = std::move(in.embed);
        return index;
    }
    static std::size_t count_outputs(const SearchIndex& index) { return index.postings.size(); }  // terms indexed
};

/// Stops the run when the ledger's last successful run indexed the same content.
struct Gate {
    static constexpr std::string_view name = "gate";
    static constexpr std::string_view description = "Fails the run when nothing changed since the last successful run";
    static constexpr std::string_view state_key = "gate";
    using Params = orrery::NoParams;
    static orrery::StageResult<GateDecision> process(const SearchIndex& index, const Params&, orrery::Context& ctx) {
        if (index.postings.empty()) return orrery::StageResult<GateDecision>::failure("the index is empty", "gate");
        const std::string digest = content_digest(ctx.get_state<std::vector<Document>>("documents"));
        if (const auto* ws = ctx.find_service<Workspace>()) {
            std::ifstream ledger(ws->ledger());
            std::string last_success;
            for (std::string line; std::getline(ledger, line);)
                if (line.find("\"status\":\"SUCCEEDED\"") != std::string::npos) last_success = line;
            if (last_success.find("\"digest\":\"" + digest + "\"") != std::string::npos)
                return orrery::StageResult<GateDecision>::failure("nothing changed since the last successful run (content " + digest + ")", "gate");
        }
        return orrery::StageResult<GateDecision>::success({digest});
    }
};

struct ExtractInputs {
    BOOST_HANA_DEFINE_STRUCT(ExtractInputs, (std::vector<ParsedDocument>, ir_validation), (GateDecision, gate));
};
struct Extract {
    static constexpr std::string_view name = "extract";
    static constexpr std::string_view description = "Names mentioned in the text (capitalised words not opening a sentence)";
    using Params = orrery::NoParams;
    static std::vector<Entity> process(const ExtractInputs& in, const Params&, orrery::Context&) {
        std::map<std::string, std::size_t> mentions;
        for (const auto& d : in.ir_validation)
            for (const auto& s : d.sections) {
                std::string sentence;
                for (char c : s.text + ".") {
                    if (c != '.' && c != ':' && c != ';' && c != '!' && c != '?') {
                        sentence += c;
                        continue;
                    }
                    const auto w = words_of(std::exchange(sentence, {}));
                    for (std::size_t k = 1; k < w.size(); ++k)  // the first word is capitalised anyway
                        if (w[k].size() > 2 && std::isupper(static_cast<unsigned char>(w[k][0]))) ++mentions[w[k]];
                }
            }
        std::vector<Entity> out;
        for (const auto& [n, c] : mentions) out.push_back({n, c});
        return out;
    }
};

struct KnowledgeGraphInputs {
    BOOST_HANA_DEFINE_STRUCT(KnowledgeGraphInputs, (std::vector<Entity>, extract), (std::vector<Chunk>, chunk));
};
struct KnowledgeGraphStage {
    static constexpr std::string_view name = "knowledge_graph";
    static constexpr std::string_view description = "Links entities mentioned in one chunk; writes knowledge_graph.tsv";
    using Params = orrery::NoParams;
    static KnowledgeGraph process(const KnowledgeGraphInputs& in, const Params&, orrery::Context& ctx) {
        std::set<std::string> names;
        for (const auto& e : in.extract) names.insert(e.name);
        std::set<std::pair<std::string, std::string>> edges;
        for (const auto& c : in.chunk) {
            std::set<std::string> here;
            for (const auto& w : words_of(c.text))
                if (names.count(w)) here.insert(w);
            for (auto a = here.begin(); a != here.end(); ++a)
                for (auto b = std::next(a); b != here.end(); ++b) edges.insert({*a, *b});
        }
        KnowledgeGraph g{{edges.begin(), edges.end()}, {}};
        if (const auto* ws = ctx.find_service<Workspace>()) {  // written whole, then renamed: never a partial file
            g.written = ws->output_dir / "knowledge_graph.tsv";
            const auto tmp = ws->output_dir / ".knowledge_graph.tsv.part";
            {
                std::ofstream out(tmp, std::ios::trunc);
                for (const auto& [a, b] : g.edges) out << a << '\t' << b << '\n';
                if (!out.flush()) throw orrery::InputError("cannot write " + tmp.string());
            }
            std::filesystem::rename(tmp, g.written);
        }
        return g;
    }
    static std::size_t count_outputs(const KnowledgeGraph& g) { return g.edges.size(); }
};

}  // namespace docpipe

ORRERY_REGISTER_STAGE(docpipe::Download)
ORRERY_REGISTER_STAGE(docpipe::Ingest)
ORRERY_REGISTER_STAGE(docpipe::Parse)
ORRERY_REGISTER_STAGE(docpipe::IrValidation)
ORRERY_REGISTER_STAGE(docpipe::ChunkStage)
ORRERY_REGISTER_STAGE(docpipe::Embed)
ORRERY_REGISTER_STAGE(docpipe::Index)
ORRERY_REGISTER_STAGE(docpipe::Gate)
ORRERY_REGISTER_STAGE(docpipe::Extract)
ORRERY_REGISTER_STAGE(docpipe::KnowledgeGraphStage)
