"""Settings (kgqa.toml), project discovery, and opening an Engine."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from conftest import BOOKS_BY, EX, FIXTURES, LEM
from rdflib import URIRef

from kgqa.complete import TrainingOptions
from kgqa.config import CONFIG_FILE, DEFAULTS, Config
from kgqa.engine import Engine
from kgqa.errors import ConfigError, OntologyError, ProjectError, ReadOnlyError
from kgqa.namespaces import DEFAULT_FACTS_GRAPH, KGQA, ONTOLOGY_GRAPH, SF
from kgqa.ontology import bundled_ontology
from kgqa.project import find_project


def test_defaults_and_overrides() -> None:
    cfg = Config.from_dict({"query": {"timeout": 5, "limit": 10}, "server": {"allow_updates": True}})
    assert cfg.get("query.timeout") == 5.0 and isinstance(cfg.get("query.timeout"), float)
    assert cfg.get("query.limit") == 10 and cfg.get("store.backend") == "oxigraph"
    assert cfg.overrides() == {"query": {"timeout": 5.0, "limit": 10}, "server": {"allow_updates": True}}
    cfg.set("store.backend", "endpoint")
    assert cfg.get("store.backend") == "endpoint" and cfg.get("query.limit") == 10
    assert Config.from_dict({}).data == DEFAULTS and Config.from_dict({}).data is not DEFAULTS


def test_settings_are_typed_frozen_and_have_one_default_each() -> None:
    settings = Config.from_dict({"complete": {"epochs": 7}, "query": {"timeout": 2}}).settings
    assert settings.complete.epochs == 7 and settings.query.timeout == 2.0
    assert settings.dialogue.clarify_cost == DEFAULTS["dialogue"]["clarify_cost"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.complete.epochs = 8  # type: ignore[misc]
    # A completion run's options are the [complete] section: the same fields, the same defaults.
    assert TrainingOptions().to_dict() == DEFAULTS["complete"]
    assert TrainingOptions.from_settings(settings.complete, model="DistMult").to_dict() == {
        **DEFAULTS["complete"], "epochs": 7, "model": "DistMult"
    }


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"qurey": {}}, r"<dict>: unknown section \[qurey\]"),
        ({"query": {"timout": 1}}, "<dict>: unknown setting query.timout"),
        ({"query": {"limit": "many"}}, "<dict>: query.limit must be int, got 'many'"),
        ({"query": {"limit": 1.5}}, "query.limit must be int"),
        ({"server": {"allow_updates": 1}}, "server.allow_updates must be bool"),
        ({"query": {"timeout": True}}, "query.timeout must be float"),
    ],
)
def test_bad_settings_name_the_key(overrides: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Config.from_dict(overrides)
    with pytest.raises(ConfigError, match="unknown setting query.nope"):
        Config.from_dict({}).get("query.nope")


def test_the_file_round_trips_and_errors_name_it(tmp_path: Path) -> None:
    path = tmp_path / CONFIG_FILE
    assert Config.load(path).data == DEFAULTS, "a missing file means the defaults"
    cfg = Config.from_dict({"query": {"timeout": 2.5}, "store": {"union_default_graph": True}})
    cfg.save(path)
    assert Config.load(path).overrides() == cfg.overrides()
    path.write_text("[query]\ntimeout = = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"{CONFIG_FILE}: .*line 2"):
        Config.load(path)


def test_init_creates_the_project_and_open_sees_the_data(tmp_path: Path) -> None:
    directory = tmp_path / "deep" / "proj"
    with Engine.init(directory, ontologies=[bundled_ontology("scifi.ttl")], config={"query": {"limit": 50}}) as engine:
        assert engine.directory == directory
        assert engine.models_dir == directory / "models" and engine.models_dir.is_dir()
        assert engine.config.get("query.limit") == 50
        engine.load([FIXTURES / "books.ttl"])
        assert SF.Book in engine.ontology.classes and KGQA.ModelRun in engine.ontology.classes
    assert sorted(p.name for p in directory.iterdir()) == [CONFIG_FILE, "models", "store"]

    with Engine.open(directory) as engine:
        assert engine.store.graphs() == [DEFAULT_FACTS_GRAPH, ONTOLOGY_GRAPH]
        assert engine.sparql(BOOKS_BY, bindings={"a": LEM}).column("b") == [URIRef(EX + "cyberiad"), URIRef(EX + "solaris")]
        assert engine.config.get("query.limit") == 50
        assert engine.sparql("SELECT * { ?s ?p ?o }").truncated, "the project's limit applies"
    with Engine.init(directory) as engine:  # again: keeps the data
        assert engine.store.count(DEFAULT_FACTS_GRAPH) == 12
    with Engine.open(directory, read_only=True) as engine:
        with pytest.raises(ReadOnlyError):
            engine.load([FIXTURES / "books.ttl"], graph="urn:test:more")


def test_a_bad_ontology_at_init_leaves_no_project(tmp_path: Path) -> None:
    with pytest.raises(OntologyError, match=r"undeclared_domain\.ttl:11"):
        Engine.init(tmp_path / "proj", ontologies=[FIXTURES / "undeclared_domain.ttl"])
    assert not (tmp_path / "proj").exists()


def test_init_ontologies_may_build_on_each_other(tmp_path: Path) -> None:
    # The second file uses a class only the first declares, as `kgqa ontology add` allows one by one.
    base = tmp_path / "base.ttl"
    base.write_text("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n<http://example.org/Novel> a owl:Class .\n")
    extension = FIXTURES / "undeclared_domain.ttl"
    extension_text = extension.read_text(encoding="utf-8").replace("http://example.org/onto#Novel", "http://example.org/Novel")
    (tmp_path / "ext.ttl").write_text(extension_text.replace("ex:Novel", "<http://example.org/Novel>"), encoding="utf-8")
    with Engine.init(tmp_path / "proj", ontologies=[base, tmp_path / "ext.ttl"]) as engine:
        assert URIRef("http://example.org/onto#author") in engine.ontology.properties


def test_project_discovery(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Engine.init(tmp_path / "repo" / ".kgqa").close()
    (tmp_path / "repo" / "src" / "pkg").mkdir(parents=True)
    monkeypatch.delenv("KGQA_PROJECT", raising=False)
    monkeypatch.chdir(tmp_path / "repo" / "src" / "pkg")
    assert find_project() == tmp_path / "repo" / ".kgqa"
    with Engine.open() as engine:
        assert engine.directory == tmp_path / "repo" / ".kgqa"

    Engine.init(tmp_path / "other").close()
    monkeypatch.setenv("KGQA_PROJECT", str(tmp_path / "other"))
    assert find_project() == tmp_path / "other"
    assert find_project(tmp_path / "repo" / ".kgqa") == tmp_path / "repo" / ".kgqa", "an explicit directory wins"

    monkeypatch.delenv("KGQA_PROJECT")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ProjectError, match="no kgqa project in .* create one with `kgqa init`"):
        find_project()
    with pytest.raises(ProjectError, match=r"nowhere: not a kgqa project \(no kgqa.toml\)"):
        Engine.open(tmp_path / "nowhere")


def test_memory_engine() -> None:
    with Engine.memory(ontologies=[bundled_ontology("scifi.ttl")], config={"query": {"timeout": 3}}) as engine:
        assert engine.directory is None and engine.config.get("query.timeout") == 3.0
        assert engine.ontology.property_by_name("author").iri == SF.author
        engine.load([FIXTURES / "books.ttl"], graph="urn:test:books")
        assert engine.store.graphs() == [ONTOLOGY_GRAPH, URIRef("urn:test:books")]
        assert engine.sparql("SELECT (1 + 1 AS ?two) {}").to_dicts() == [{"two": 2}]
        models = engine.models_dir
        assert models.is_dir()
    assert not models.exists(), "the scratch models directory goes with the engine"
