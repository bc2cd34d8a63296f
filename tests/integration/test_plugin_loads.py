"""The provider registers, and every algorithm is complete (help page, group, a fresh instance)."""
from wifidensity.plugin.paths import HELP_DIR


def test_provider_has_the_paper_tools(provider):
    names = {alg.name() for alg in provider.algorithms()}
    assert {"preprocess", "filter", "simulate"} <= names


def test_every_algorithm_has_help_and_clones(provider):
    for algorithm in provider.algorithms():
        assert (HELP_DIR / f"{algorithm.name()}.html").exists(), algorithm.name()
        assert algorithm.shortHelpString().strip(), algorithm.name()
        clone = algorithm.createInstance()
        assert type(clone) is type(algorithm) and clone is not algorithm


def test_plugin_object_registers_and_unregisters_provider(qgis_app):
    from qgis.core import QgsApplication

    import wifidensity
    registry = QgsApplication.processingRegistry()
    before = registry.providerById("wifidensity")
    if before is not None:
        registry.removeProvider(before)
    plugin = wifidensity.classFactory(None)
    plugin.initProcessing()
    assert registry.providerById("wifidensity") is not None
    plugin.unload()
    assert registry.providerById("wifidensity") is None


def test_one_pipeline_group_holds_the_pipeline_model_and_the_season(provider):
    groups = {}
    for algorithm in provider.algorithms():
        groups.setdefault(algorithm.group(), set()).add(algorithm.groupId())
    assert all(len(ids) == 1 for ids in groups.values()), groups  # no two groups share a name
    in_pipeline = {algorithm.id(): algorithm for algorithm in provider.algorithms() if algorithm.group() == "Pipeline"}
    assert set(in_pipeline) == {"wifidensity:pipeline", "wifidensity:season"}
    assert {algorithm.groupId() for algorithm in in_pipeline.values()} == {"pipeline"}
    model = in_pipeline["wifidensity:pipeline"]
    assert model.displayName() == "Pipeline"
    for instance in (model, model.create()):  # the dialog runs a fresh instance
        assert instance.displayName() == "Pipeline" and instance.groupId() == "pipeline"
        assert instance.helpUrl().endswith("/resources/help/pipeline.html")
        assert instance.shortHelpString().strip()
