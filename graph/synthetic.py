"""Synthetic glossaries of any size, for benchmarks and scale tests: realistic terms, skewed links.

Every concept gets a unique three-word title ("Sparse Contrastive Tokenizer"), sometimes an
acronym or a variant as alias, one of eight categories, a level, a publication week, a 20-40 word
definition that mentions other concepts' titles (some linked, some not) and about ten related
references written as an id, a title or an alias. Link targets follow a Zipf law over a shuffled
ranking, so a few hubs collect thousands of backlinks and most concepts only a handful. About 1%
of references are broken (titles nobody owns, several concepts wanting the same one), about 0.1%
point at their own concept, half of the groups of four neighbouring concepts link to each other both
ways (siblings), and the other links mostly go one way.

The output depends only on (size, seed): the same pair gives byte-identical files. Records are
produced one at a time and streamed to disk, so a million concepts never sit in memory as text.

>>> records = list(synthetic_records(50, seed=1))
>>> len(records), sorted(records[0])[:4]
(50, ['aliases', 'body', 'category', 'definition'])
"""

from __future__ import annotations

__all__ = [
    "CATEGORIES",
    "LEVELS",
    "GenerationSummary",
    "synthetic_glossary",
    "synthetic_records",
    "write_jsonl",
    "write_markdown",
]

import json
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any

from graph.model import Concept, Glossary, Reference

CATEGORIES = (
    "Models & Architecture",
    "Training & Optimisation",
    "Data & Datasets",
    "Evaluation & Benchmarks",
    "Inference & Deployment",
    "Safety & Alignment",
    "Applications",
    "Infrastructure & Tooling",
)
#: How often each category is picked (a few big ones, a few small ones); 1% of concepts have none.
_CATEGORY_WEIGHTS = (24, 20, 12, 10, 12, 8, 9, 5)
_UNCATEGORISED_RATE = 0.01

LEVELS = ("Beginner", "Intermediate", "Advanced")

# Three word lists whose product (114 x 112 x 110 = 1,404,480) bounds the number of unique titles.
_QUALIFIERS = (
    "Sparse", "Dense", "Causal", "Masked", "Contrastive", "Federated", "Recurrent", "Adaptive",
    "Hierarchical", "Latent", "Stochastic", "Bayesian", "Quantised", "Distilled", "Multimodal",
    "Autoregressive", "Residual", "Gated", "Dynamic", "Robust", "Probabilistic", "Neural", "Implicit",
    "Explicit", "Local", "Global", "Linear", "Nonlinear", "Differentiable", "Discrete", "Continuous",
    "Conditional", "Variational", "Adversarial", "Supervised", "Unsupervised", "Semi-Supervised",
    "Self-Supervised", "Online", "Offline", "Streaming", "Batched", "Parallel", "Distributed",
    "Decentralised", "Hybrid", "Modular", "Compositional", "Symbolic", "Relational", "Graph",
    "Temporal", "Spatial", "Spectral", "Kernel", "Low-Rank", "Mixed-Precision", "Low-Latency",
    "Memory-Efficient", "Sample-Efficient", "Zero-Shot", "Few-Shot", "Multi-Task", "Multilingual",
    "Cross-Lingual", "Cross-Modal", "Instruction-Tuned", "Preference-Based", "Reward-Guided",
    "Retrieval-Based", "Tool-Augmented", "Agentic", "Interpretable", "Calibrated", "Certified",
    "Private", "Secure", "Fair", "Aligned", "Grounded", "Steerable", "Elastic", "Incremental",
    "Continual", "Curriculum", "Active", "Meta", "Transfer", "Domain-Adaptive", "Invariant",
    "Equivariant", "Energy-Based", "Diffusion", "Flow-Based", "Score-Based", "Token-Level",
    "Sequence-Level", "Sentence-Level", "Document-Level", "Pixel-Level", "Patch-Based", "Prompted",
    "Chain-of-Thought", "Speculative", "Pruned", "Lightweight", "Scalable", "Asynchronous",
    "Synchronous", "Weighted", "Normalised", "Regularised", "Ensemble", "Deterministic",
)
_DOMAINS = (
    "Attention", "Contrastive", "Embedding", "Retrieval", "Reward", "Policy", "Value", "Gradient",
    "Language", "Vision", "Speech", "Audio", "Video", "Text", "Image", "Token", "Sequence", "Graph",
    "Memory", "Context", "Prompt", "Instruction", "Preference", "Feedback", "Search", "Ranking",
    "Routing", "Expert", "Mixture", "Diffusion", "Denoising", "Noise", "Sampling", "Decoding",
    "Encoding", "Feature", "Representation", "Latent", "Semantic", "Syntactic", "Knowledge", "Fact",
    "Entity", "Relation", "Query", "Key", "Cache", "Window", "Position", "Rotary", "Layer", "Batch",
    "Weight", "Parameter", "Adapter", "Prefix", "Head", "Kernel", "Activation", "Loss", "Objective",
    "Curriculum", "Data", "Label", "Annotation", "Synthetic", "Benchmark", "Evaluation", "Safety",
    "Alignment", "Bias", "Privacy", "Watermark", "Agent", "Tool", "Planning", "Reasoning", "Dialogue",
    "Summary", "Translation", "Classification", "Segmentation", "Detection", "Tracking", "Anomaly",
    "Forecast", "Causal", "Counterfactual", "Uncertainty", "Confidence", "Calibration", "Distillation",
    "Compression", "Quantisation", "Pruning", "Sparsity", "Scaling", "Compute", "Throughput",
    "Latency", "Hardware", "Accelerator", "Tensor", "Pipeline", "Shard", "Checkpoint", "Cluster",
    "Federation", "Consensus",
)
_HEADS = (
    "Tokenizer", "Transformer", "Encoder", "Decoder", "Network", "Model", "Layer", "Mechanism",
    "Objective", "Loss", "Regulariser", "Optimiser", "Scheduler", "Estimator", "Sampler", "Search",
    "Ranker", "Retriever", "Router", "Gate", "Memory", "Cache", "Index", "Store", "Embedding",
    "Projection", "Normalisation", "Dropout", "Pooling", "Convolution", "Attention", "Head", "Block",
    "Module", "Adapter", "Prompt", "Template", "Policy", "Critic", "Agent", "Planner", "Controller",
    "Verifier", "Judge", "Metric", "Score", "Benchmark", "Dataset", "Corpus", "Split", "Filter",
    "Augmentation", "Alignment", "Fine-Tuning", "Pretraining", "Distillation", "Quantisation",
    "Pruning", "Compression", "Inference", "Serving", "Batching", "Decoding", "Beam", "Ensemble",
    "Classifier", "Detector", "Segmenter", "Parser", "Tagger", "Summariser", "Translator", "Generator",
    "Discriminator", "Autoencoder", "Bottleneck", "Manifold", "Kernel", "Graph", "Tree", "Forest",
    "Chain", "Framework", "Protocol", "Pipeline", "Workflow", "Engine", "Runtime", "Compiler",
    "Accelerator", "Cluster", "Shard", "Checkpoint", "Gradient", "Update", "Step", "Schedule",
    "Warmup", "Curriculum", "Reward", "Value", "Advantage", "Baseline", "Hypothesis", "Law",
    "Principle", "Paradox", "Phenomenon",
)

# Sentence parts of definitions; "{M}" marks where another concept is mentioned.
_OPENERS = (
    "is a {q} technique that {v} {o}",
    "is a {q} method for {g} {o}",
    "describes how a system {v} {o} under {c}",
    "is an approach that {v} {o} with {c}",
    "refers to the practice of {g} {o} during {p}",
    "is a component that {v} {o} before {p}",
)
_VERBS = (
    "compresses", "ranks", "aligns", "filters", "routes", "estimates", "stabilises", "scores",
    "reweights", "summarises", "predicts", "reconstructs", "retrieves", "caches", "schedules",
)
_GERUNDS = (
    "compressing", "ranking", "aligning", "filtering", "routing", "estimating", "stabilising",
    "scoring", "reweighting", "summarising", "predicting", "reconstructing", "retrieving",
)
_OBJECTS = (
    "token representations", "model weights", "training examples", "attention scores",
    "candidate answers", "retrieved passages", "gradient updates", "hidden states", "user queries",
    "reward signals", "feature maps", "output distributions", "long documents", "tool calls",
)
_CONDITIONS = (
    "a fixed compute budget", "noisy labels", "distribution shift", "limited memory",
    "strict latency limits", "sparse feedback", "adversarial inputs", "long contexts",
)
_PHASES = ("pretraining", "fine-tuning", "inference", "evaluation", "deployment", "data collection")
_FOLLOWERS = (
    "It builds on {M} and is often compared with {M}.",
    "Practitioners combine it with {M} to reduce cost.",
    "Unlike {M}, it keeps the original structure of the input.",
    "It is a common choice when {M} is too slow for production.",
    "Most implementations borrow ideas from {M} and {M}.",
    "It was introduced as a simpler alternative to {M}.",
)

_BROKEN_RATE = 0.01
_SELF_RATE = 0.001
_DUPLICATE_RATE = 0.002
_DEAD_END_RATE = 0.01
_RECIPROCAL_GROUP_RATE = 0.5
_ACRONYM_RATE = 0.3
_VARIANT_RATE = 0.15
_WIKILINK_RATE = 0.15
#: Zipf exponent of link targets: 0.6 gives a preferential-attachment-like tail (degree exponent near 2.7).
_ZIPF_EXPONENT = 0.6


@dataclass
class GenerationSummary:
    """What a generator run produced: counts a test or a benchmark can check against."""

    size: int
    seed: int
    references: int = 0
    broken: int = 0
    self_links: int = 0
    duplicates: int = 0
    wikilinks: int = 0
    aliases: int = 0
    mentions: int = 0
    categories: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "size": self.size,
            "seed": self.seed,
            "references": self.references,
            "broken": self.broken,
            "self_links": self.self_links,
            "duplicates": self.duplicates,
            "wikilinks": self.wikilinks,
            "aliases": self.aliases,
            "mentions": self.mentions,
            "categories": dict(sorted(self.categories.items())),
        }


class _Names:
    """Unique titles, ids and acronyms for concept numbers, from a seeded permutation of word triples."""

    def __init__(self, rng: random.Random, capacity: int):
        self.space = len(_QUALIFIERS) * len(_DOMAINS) * len(_HEADS)
        if capacity > self.space:
            raise ValueError(f"at most {self.space} distinct titles can be generated, not {capacity}")
        # A multiplier coprime with the space makes i -> (i * stride + offset) % space a permutation.
        stride = rng.randrange(self.space // 3, self.space // 2)
        while _gcd(stride, self.space) != 1:
            stride += 1
        self.stride, self.offset = stride, rng.randrange(self.space)
        self._slug = {w: w.lower() for w in (*_QUALIFIERS, *_DOMAINS, *_HEADS)}

    def words(self, number: int) -> tuple[str, str, str]:
        """The three title words of concept (or phantom concept) ``number``."""
        j = (number * self.stride + self.offset) % self.space
        j, head = divmod(j, len(_HEADS))
        qualifier, domain = divmod(j, len(_DOMAINS))
        return _QUALIFIERS[qualifier], _DOMAINS[domain], _HEADS[head]

    def title(self, number: int) -> str:
        """A unique title."""
        return " ".join(self.words(number))

    def slug(self, number: int) -> str:
        """A unique id: the title's words, lower-cased and joined by hyphens."""
        slug = self._slug
        q, d, h = self.words(number)
        return f"{slug[q]}-{slug[d]}-{slug[h]}"


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def _acronym(words: tuple[str, str, str]) -> str:
    return "".join(part[0] for word in words for part in word.split("-")).upper()


def synthetic_records(size: int, seed: int = 0, summary: GenerationSummary | None = None) -> Iterator[dict[str, Any]]:
    """Yield ``size`` concept records (JSON-ready dicts), one at a time, the same for the same seed.

    Fields: id, title, aliases, category, level, published, definition, related (references as
    written), body (a "See also" sentence whose [[wikilinks]] are further references) and
    wikilinks (the targets of those wikilinks, as written).
    """
    if size < 1:
        raise ValueError(f"size must be at least 1, not {size}")
    rng = random.Random(f"glossgraph-synthetic:{seed}")
    names = _Names(rng, size + max(10, size // 50))
    summary = summary if summary is not None else GenerationSummary(size, seed)

    # Link targets: a Zipf law over a shuffled ranking, so hubs are spread over the id space.
    ranking = list(range(size))
    rng.shuffle(ranking)
    zipf_cum = list(accumulate((r + 1) ** -_ZIPF_EXPONENT for r in range(size)))
    wanted = max(10, size // 50)  # titles nobody owns, wanted by several concepts (broken links)
    wanted_cum = list(accumulate((r + 1) ** -1.0 for r in range(wanted)))
    category_cum = list(accumulate(_CATEGORY_WEIGHTS))

    # Acronyms are aliases only when still free, with a few deliberate collisions (real glossaries have some).
    acronyms: dict[int, str] = {}
    seen_acronyms: set[str] = set()
    for number in range(size):
        if rng.random() < _ACRONYM_RATE:
            acronym = _acronym(names.words(number))
            if acronym not in seen_acronyms or rng.random() < 0.02:
                seen_acronyms.add(acronym)
                acronyms[number] = acronym
    del seen_acronyms

    random_ = rng.random
    choices = rng.choices
    randint = rng.randint
    for number in range(size):
        words = names.words(number)
        title = " ".join(words)
        concept_id = names.slug(number)
        aliases: list[str] = []
        own_acronym = acronyms.get(number)
        if own_acronym is not None:
            aliases.append(own_acronym)
        if random_() < _VARIANT_RATE:
            aliases.append(f"{title}s" if random_() < 0.5 else f"{words[1]} {words[2]} ({words[0].lower()})")
        summary.aliases += len(aliases)

        category: str | None = None
        if random_() >= _UNCATEGORISED_RATE:
            category = choices(CATEGORIES, cum_weights=category_cum)[0]
        key = category or ""
        summary.categories[key] = summary.categories.get(key, 0) + 1

        # Related references: the siblings of some groups of four, then Zipf-drawn targets.
        count = 0 if random_() < _DEAD_END_RATE else randint(4, 16)
        targets: list[int] = []
        if count and _group_links_both_ways(number // 4, seed):
            first = number - number % 4
            targets.extend(s for s in range(first, min(first + 4, size)) if s != number)
        chosen = set(targets)
        for rank in choices(ranking, cum_weights=zipf_cum, k=count):
            if rank != number and rank not in chosen and len(targets) < count:
                chosen.add(rank)
                targets.append(rank)
        written: list[str] = []
        for target in targets:
            roll = random_()
            if roll < 0.5:
                written.append(names.slug(target))
            elif roll < 0.85 or target not in acronyms:
                target_title = names.title(target)
                written.append(target_title.lower() if roll < 0.6 else target_title)
            else:
                written.append(acronyms[target])
        extra = 0
        for _ in range(len(targets)):
            roll = random_()
            if roll < _BROKEN_RATE:
                phantom = size + choices(range(wanted), cum_weights=wanted_cum)[0]
                written.insert(randint(0, len(written)), names.title(phantom))
                summary.broken += 1
                extra += 1
            elif roll < _BROKEN_RATE + _SELF_RATE:
                written.append(concept_id)
                summary.self_links += 1
                extra += 1
            elif roll < _BROKEN_RATE + _SELF_RATE + _DUPLICATE_RATE:
                written.append(names.title(targets[0]))  # listed again, by its title this time
                summary.duplicates += 1
                extra += 1

        # A few references move out of the related list into the body as [[wikilinks]].
        wikilinks: list[str] = []
        related: list[str] = []
        for reference in written:
            (wikilinks if random_() < _WIKILINK_RATE else related).append(reference)
        summary.references += len(written)
        summary.wikilinks += len(wikilinks)
        body = ""
        if wikilinks:
            body = "See also " + ", ".join(f"[[{w}]]" for w in wikilinks) + "."

        definition = _definition(title, targets, names, acronyms, ranking, zipf_cum, rng, summary)
        yield {
            "id": concept_id,
            "title": title,
            "aliases": aliases,
            "category": category,
            "level": LEVELS[randint(0, 2)],
            "published": f"{2022 + randint(0, 4)}-W{randint(1, 52):02d}",
            "definition": definition,
            "related": related,
            "body": body,
            "wikilinks": wikilinks,
        }


def _group_links_both_ways(group: int, seed: int) -> bool:
    # A stateless hash, so every member of a group of four can tell without remembering the others.
    return ((group * 2654435761 + seed * 40503) & 0xFFFFFFFF) % 1000 < _RECIPROCAL_GROUP_RATE * 1000


def _definition(
    title: str,
    targets: list[int],
    names: _Names,
    acronyms: dict[int, str],
    ranking: list[int],
    zipf_cum: list[float],
    rng: random.Random,
    summary: GenerationSummary,
) -> str:
    """20-40 words: what the concept is, then one or two sentences mentioning other concepts."""
    choice = rng.choice
    opener = choice(_OPENERS).format(
        q=choice(_QUALIFIERS).lower(), v=choice(_VERBS), g=choice(_GERUNDS), o=choice(_OBJECTS),
        c=choice(_CONDITIONS), p=choice(_PHASES),
    )
    sentences = [f"{title} {opener}."]
    for _ in range(1 + (rng.random() < 0.5)):
        template = choice(_FOLLOWERS)
        parts = template.split("{M}")
        text = parts[0]
        for part in parts[1:]:
            # Half the mentions name a linked concept, half an arbitrary one (mostly unlinked).
            linked = targets and rng.random() < 0.5
            other = choice(targets) if linked else rng.choices(ranking, cum_weights=zipf_cum)[0]
            acronym = acronyms.get(other)
            text += (acronym if acronym is not None and rng.random() < 0.3 else names.title(other)) + part
            summary.mentions += 1
        sentences.append(text)
    return " ".join(sentences)


def synthetic_glossary(size: int, seed: int = 0) -> Glossary:
    """A synthetic glossary in memory (related references first, then the body's wikilinks)."""
    concepts = [
        Concept(
            record["id"],
            record["title"],
            definition=record["definition"],
            body=record["body"],
            aliases=tuple(record["aliases"]),
            categories=(record["category"],) if record["category"] else (),
            level=record["level"],
            published=record["published"],
            related=tuple(Reference(r) for r in record["related"])
            + tuple(Reference(w, "wikilink") for w in record["wikilinks"]),
        )
        for record in synthetic_records(size, seed)
    ]
    return Glossary(concepts, source=f"synthetic:{size}:{seed}", format="synthetic")


def write_jsonl(path: str | Path, size: int, seed: int = 0) -> GenerationSummary:
    """Write a synthetic glossary as JSONL (one concept per line), atomically; return its summary."""
    path = Path(path)
    summary = GenerationSummary(size, seed)
    partial = path.with_name(path.name + ".partial")
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    with partial.open("w", encoding="utf-8", newline="\n", buffering=1 << 20) as out:
        batch: list[str] = []
        for record in synthetic_records(size, seed, summary):
            batch.append(dumps(record) + "\n")
            if len(batch) >= 4096:
                out.writelines(batch)
                batch.clear()
        out.writelines(batch)
    os.replace(partial, path)
    return summary


def write_markdown(folder: str | Path, size: int, seed: int = 0) -> GenerationSummary:
    """Write a synthetic glossary as a Markdown folder: one file per concept, in a folder per category.

    Each file has YAML front matter (id, title, aliases, category, level, published, related) and
    a body: the title as a heading, the definition as the first paragraph, then the [[wikilinks]].
    """
    folder = Path(folder)
    summary = GenerationSummary(size, seed)
    made: set[str] = set()
    for record in synthetic_records(size, seed, summary):
        sub = _slug_folder(record["category"])
        if sub not in made:
            (folder / sub).mkdir(parents=True, exist_ok=True)
            made.add(sub)
        (folder / sub / f"{record['id']}.md").write_text(_markdown(record), encoding="utf-8")
    return summary


def _slug_folder(category: str | None) -> str:
    if not category:
        return "uncategorised"
    return "-".join("".join(ch if ch.isalnum() else " " for ch in category.lower()).split())


def _yaml_scalar(value: Any) -> str:
    # A JSON string or null is also a valid YAML flow scalar, and needs no escaping rules of its own.
    return json.dumps(value, ensure_ascii=False)


def _markdown(record: dict[str, Any]) -> str:
    lines = ["---"]
    for key in ("id", "title", "category", "level", "published"):
        lines.append(f"{key}: {_yaml_scalar(record[key])}")
    for key in ("aliases", "related"):
        values = record[key]
        if values:
            lines.append(f"{key}:")
            lines.extend(f"  - {_yaml_scalar(v)}" for v in values)
        else:
            lines.append(f"{key}: []")
    lines.append("---")
    lines.append(f"# {record['title']}")
    lines.append("")
    lines.append(record["definition"])
    if record["body"]:
        lines.append("")
        lines.append(record["body"])
    return "\n".join(lines) + "\n"
