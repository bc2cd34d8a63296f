"""Where the plugin's resources live."""
from pathlib import Path

PLUGIN_DIR = Path(__file__).resolve().parents[1]
RESOURCES = PLUGIN_DIR / "resources"
HELP_DIR = RESOURCES / "help"
ICON_DIR = RESOURCES / "icons"
STYLE_DIR = RESOURCES / "styles"
MODEL_DIR = RESOURCES / "models"
SAMPLE_DIR = RESOURCES / "sample"
