"""Small hand-built glossaries whose answers are known, shared by the query and store tests."""

from __future__ import annotations

from graph.model import Concept, Glossary, Reference


def refs(*targets: str) -> tuple[Reference, ...]:
    """Related-list references as an editor writes them."""
    return tuple(Reference(t) for t in targets)


def small() -> Glossary:
    """Seven concepts: a triangle a-b-c, a chain a-d-e, a self link, an isolated concept, one broken link.

    related edges: a→b, a→c (by title), a→d (by alias), b→c, c→a, c→missing:nowhere, d→e, f→f.
    """
    return Glossary(
        [
            Concept("a", "Alpha", "First letter.", categories=("Greek",), related=refs("b", "Gamma", "dee")),
            Concept("b", "Beta", "Second letter.", categories=("Greek",), related=refs("c")),
            Concept("c", "Gamma", "Third letter.", categories=("Greek",), related=refs("a", "Nowhere")),
            Concept("d", "Delta", "Fourth.", aliases=("dee",), categories=("Letters",), related=refs("e")),
            Concept("e", "Epsilon", "Fifth.", categories=("Letters",)),
            Concept("f", "Zeta", "Sixth.", related=refs("f")),
            Concept("g", "Eta", "Seventh.", aliases=("AB",), categories=("Greek",)),
        ],
        source="tests/glossaries.py:small",
        format="python",
    )


def tangled() -> Glossary:
    """Every kind of link at once, for comparing stores.

    Ambiguous alias ("Shared", owned by a1 and a2) and title ("Elder", owned by e1 and e2), a
    path-stem reference ("deep" → d1), a self link and a duplicate (hub), reciprocal links
    (a3 ⇄ b2, so a walk meets a link authored against it), a cycle hub → a1 → b1 → c1 → hub,
    a category hierarchy (Food → Plants → Living things), origins with lines, an empty definition.
    """
    from graph.model import Origin, Source

    def at(line: int) -> Origin:
        return Origin("tangled.yaml", line)

    return Glossary(
        [
            Concept("hub", "Hub", "The centre.", categories=("Food",), origin=at(1),
                    related=(Reference("Apple", line=3), Reference("a2", line=4), Reference("Avocado", line=5),
                             Reference("Ghost", line=6), Reference("Shared", line=7), Reference("hub", line=8),
                             Reference("a1", line=9), Reference("deep", "wikilink", line=10))),
            Concept("a1", "Apple", "A fruit; see [[Banana]].", aliases=("Shared", "Fruit"),
                    categories=("Food", "Plants"), related=(Reference("b1"), Reference("Hub", "wikilink")),
                    origin=at(12)),
            Concept("a2", "Apricot", "Stone fruit.", aliases=("Shared",), categories=("Food",),
                    related=refs("b1", "b2"), origin=at(20)),
            Concept("a3", "Avocado", "Not sweet.", categories=("Plants",), related=refs("b2"), deprecated=True,
                    level="basic", published="2024-05-01",
                    sources=(Source("Botany notes", "https://example.org/b"), Source("Untitled")), origin=at(28)),
            Concept("b1", "Banana", "Yellow.", related=refs("c1"), origin=at(36)),
            Concept("b2", "Blueberry", "Blue.", categories=("Food",), related=refs("c1", "a3", "Ghost"),
                    origin=at(40)),
            Concept("c1", "Cherry", "Red.", categories=("Food",), related=refs("hub", "Elder"), origin=at(45)),
            Concept("d1", "Date", "Sweet.", path="notes/deep", related=refs("e1"), origin=at(50)),
            Concept("e1", "Elder", "A shrub.", categories=("Plants",), related=refs("f1"), origin=at(55)),
            Concept("e2", "ELDER", "A title twin.", categories=("Living things",), origin=at(60)),
            Concept("f1", "Fig", "", related=refs("d1"), origin=at(65)),
            Concept("g1", "Grape", "Alone."),
        ],
        source="tests/glossaries.py:tangled",
        format="python",
        category_parents={"Food": ("Plants",), "Plants": ("Living things",)},
    )


def lattice(size: int = 40, seed: int = 7) -> Glossary:
    """A deterministic random graph of ``size`` concepts with 1-4 links each: many paths of equal length."""
    import random

    rng = random.Random(seed)
    ids = [f"n{i:02d}" for i in range(size)]
    concepts = []
    for i, concept_id in enumerate(ids):
        targets = rng.sample([x for x in ids if x != concept_id], rng.randint(1, 4))
        concepts.append(Concept(concept_id, f"Node {i}", f"Node number {i}.", aliases=(f"N{i}",) if i % 5 == 0 else (),
                                categories=(f"Group {i % 4}",), related=refs(*targets)))
    return Glossary(concepts, source=f"tests/glossaries.py:lattice({size},{seed})", format="python")


def hierarchy() -> Glossary:
    """Broader links of every shape, for the hierarchy's queries, stats and audit on both stores.

    broader edges: mammal→animal, bird→animal, dog→mammal (by title), cat→mammal, cat→pet (two
    parents), old→mammal, loop1→loop2, loop2→loop1 (a cycle), ouro→ouro (its own parent), and
    stray→missing:nowhere (a broken parent). related: dog→cat, cat→dog, bird→animal (a clash with
    its parent), puppy→old (old is deprecated, replaced by dog), puppy→dog.
    """
    return Glossary(
        [
            Concept("animal", "Animal", "Any animal.", categories=("Zoo",)),
            Concept("mammal", "Mammal", "Has fur.", categories=("Zoo",), parents=refs("animal")),
            Concept("bird", "Bird", "Has feathers.", categories=("Zoo",), parents=refs("animal"),
                    related=refs("Animal")),
            Concept("dog", "Dog", "Barks.", parents=refs("Mammal"), related=refs("cat")),
            Concept("cat", "Cat", "Purrs.", parents=refs("mammal", "pet"), related=refs("dog")),
            Concept("pet", "Pet", "Lives with people."),
            Concept("old", "Dog", "The old entry for dogs.", parents=refs("mammal"), deprecated=True,
                    replaced_by="dog"),
            Concept("puppy", "Puppy", "A young dog.", related=refs("old", "dog")),
            Concept("loop1", "Loop one", "", parents=refs("loop2")),
            Concept("loop2", "Loop two", "", parents=refs("loop1")),
            Concept("ouro", "Ouroboros", "", parents=refs("ouro")),
            Concept("stray", "Stray", "Lost.", parents=refs("Nowhere")),
        ],
        source="tests/glossaries.py:hierarchy",
        format="python",
    )


def relations() -> Glossary:
    """Related links with ontology relations, for the relation labels on path hops.

    wheel → car (part_of), wheel → axle twice (part_of, attached_to: one edge, both labels),
    car → engine (has_part), engine → axle (a plain related link).
    """
    return Glossary(
        [
            Concept("wheel", "Wheel", "Rolls.", related=(
                Reference("car", relation="part_of"), Reference("Axle", relation="part_of"),
                Reference("axle", relation="attached_to"))),
            Concept("car", "Car", "Drives.", related=(Reference("engine", relation="has_part"),)),
            Concept("engine", "Engine", "Turns.", related=refs("axle")),
            Concept("axle", "Axle", "Holds wheels."),
        ],
        source="tests/glossaries.py:relations",
        format="python",
    )
