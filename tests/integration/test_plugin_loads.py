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
