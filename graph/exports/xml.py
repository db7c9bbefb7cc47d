"""GraphML and GEXF: for Gephi, yEd and networkx, with typed attributes and no Python objects.

Both formats hold strings, booleans and integers only, so list and object fields (aliases,
categories, sources, related, parents, translations, attributes) are JSON text in a string
attribute. A value that is None is left out (a missing attribute reads back as None); ``label``
repeats the title for viewers that show it. Output is stable: attribute keys in a fixed order,
nodes and edges sorted, no dates.
"""

from __future__ import annotations

__all__ = ["EDGE_ATTRIBUTES", "GEXF_NS", "GRAPHML_NS", "NODE_ATTRIBUTES", "gexf_bytes", "graphml_bytes"]

from lxml import etree

from graph import __version__
from graph.errors import ExportError
from graph.exports.records import FORMAT, FORMAT_VERSION, GraphRecords, flat_edge, flat_node

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
GEXF_NS = "http://www.gexf.net/1.2draft"

#: (name, type) of every node attribute after the id; "label" is the title again, for viewers.
NODE_ATTRIBUTES: tuple[tuple[str, str], ...] = (
    ("kind", "string"),
    ("title", "string"),
    ("label", "string"),
    ("definition", "string"),
    ("body", "string"),
    ("aliases", "string"),
    ("categories", "string"),
    ("category", "string"),
    ("level", "string"),
    ("published", "string"),
    ("sources", "string"),
    ("related", "string"),
    ("deprecated", "boolean"),
    ("parents", "string"),
    ("replaced_by", "string"),
    ("translations", "string"),
    ("attributes", "string"),
)
#: (name, type) of every edge attribute besides source and target.
EDGE_ATTRIBUTES: tuple[tuple[str, str], ...] = (
    ("type", "string"),
    ("via", "string"),
    ("written", "string"),
    ("count", "int"),
)


def _text(value: str | bool | int) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _serialise(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _set(element: etree._Element, attr: str | None, value: str, node: str, name: str, what: str) -> None:
    """Set text or an attribute; XML 1.0 cannot hold most control characters, so say which value has one."""
    try:
        if attr is None:
            element.text = value
        else:
            element.set(attr, value)
    except ValueError as error:
        message = f"{what} cannot hold the control character in {name!r} of {node!r}: {value[:60]!r}"
        raise ExportError(message) from error


def graphml_bytes(records: GraphRecords) -> bytes:
    """The graph as GraphML (directed, parallel edges allowed; keys typed)."""
    root = etree.Element("graphml", nsmap={None: GRAPHML_NS})
    ids: dict[tuple[str, str], str] = {}
    for scope, attributes in (("node", NODE_ATTRIBUTES), ("edge", EDGE_ATTRIBUTES)):
        for name, type_ in attributes:
            key_id = f"d{len(ids)}"
            ids[(scope, name)] = key_id
            etree.SubElement(
                root, "key", {"id": key_id, "for": scope, "attr.name": name, "attr.type": type_}
            )
    # The format marker and version travel as graph data, which networkx reads into G.graph.
    etree.SubElement(root, "key", {"id": "g0", "for": "graph", "attr.name": "format", "attr.type": "string"})
    etree.SubElement(root, "key", {"id": "g1", "for": "graph", "attr.name": "version", "attr.type": "int"})
    graph = etree.SubElement(root, "graph", {"edgedefault": "directed"})
    etree.SubElement(graph, "data", key="g0").text = FORMAT
    etree.SubElement(graph, "data", key="g1").text = str(FORMAT_VERSION)
    for record in records.nodes:
        flat = flat_node(record)
        flat["label"] = record["title"]
        node = etree.SubElement(graph, "node")
        _set(node, "id", record["id"], record["id"], "id", "GraphML")
        for name, _type in NODE_ATTRIBUTES:
            if name in flat:
                data = etree.SubElement(node, "data", key=ids[("node", name)])
                _set(data, None, _text(flat[name]), record["id"], name, "GraphML")
    for number, record in enumerate(records.edges):
        edge = etree.SubElement(graph, "edge", id=f"e{number}")
        _set(edge, "source", record["source"], record["source"], "source", "GraphML")
        _set(edge, "target", record["target"], record["target"], "target", "GraphML")
        for name, value in flat_edge(record).items():
            if name in ("source", "target"):
                continue
            data = etree.SubElement(edge, "data", key=ids[("edge", name)])
            _set(data, None, _text(value), record["source"], name, "GraphML")
    return _serialise(root)


def gexf_bytes(records: GraphRecords) -> bytes:
    """The graph as GEXF 1.2 (static, directed; attributes declared with their types)."""
    root = etree.Element("gexf", {"version": "1.2"}, nsmap={None: GEXF_NS})
    meta = etree.SubElement(root, "meta")
    etree.SubElement(meta, "creator").text = f"glossgraph {__version__}"
    etree.SubElement(meta, "description").text = f"{FORMAT} graph, format version {FORMAT_VERSION}"
    graph = etree.SubElement(root, "graph", defaultedgetype="directed", mode="static")
    ids: dict[tuple[str, str], str] = {}
    node_attributes = [(n, t) for n, t in NODE_ATTRIBUTES if n != "label"]  # GEXF has its own label
    gexf_types = {"string": "string", "boolean": "boolean", "int": "integer"}
    for scope, attributes in (("node", node_attributes), ("edge", EDGE_ATTRIBUTES)):
        block = etree.SubElement(graph, "attributes", {"class": scope, "mode": "static"})
        for number, (name, type_) in enumerate(attributes):
            ids[(scope, name)] = str(number)
            etree.SubElement(block, "attribute", id=str(number), title=name, type=gexf_types[type_])
    nodes = etree.SubElement(graph, "nodes")
    for record in records.nodes:
        flat = flat_node(record)
        node = etree.SubElement(nodes, "node")
        _set(node, "id", record["id"], record["id"], "id", "GEXF")
        _set(node, "label", record["title"], record["id"], "title", "GEXF")
        values = etree.SubElement(node, "attvalues")
        for name, _type in node_attributes:
            if name in flat:
                value = etree.SubElement(values, "attvalue", {"for": ids[("node", name)]})
                _set(value, "value", _text(flat[name]), record["id"], name, "GEXF")
    edges = etree.SubElement(graph, "edges")
    for number, record in enumerate(records.edges):
        edge = etree.SubElement(edges, "edge", id=str(number), label=record["type"])
        _set(edge, "source", record["source"], record["source"], "source", "GEXF")
        _set(edge, "target", record["target"], record["target"], "target", "GEXF")
        values = etree.SubElement(edge, "attvalues")
        for name, value in flat_edge(record).items():
            if name in ("source", "target"):
                continue
            attvalue = etree.SubElement(values, "attvalue", {"for": ids[("edge", name)]})
            _set(attvalue, "value", _text(value), record["source"], name, "GEXF")
    return _serialise(root)
