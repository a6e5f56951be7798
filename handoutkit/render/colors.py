"""Colour arithmetic for contrast rules (WCAG 2.x) and grayscale printing.

Contrast ratio = (L1 + 0.05) / (L2 + 0.05), with relative luminance from
linearised sRGB.  Patient text needs at least 4.5:1 (3:1 for large text).
"""

from __future__ import annotations

MIN_CONTRAST = 4.5
MIN_CONTRAST_LARGE = 3.0


def hex_to_rgb(value: str) -> tuple[float, float, float]:
    """``"#1B4F72"`` → (r, g, b) in 0..1."""
    value = value.lstrip("#")
    return tuple(int(value[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def relative_luminance(value: str) -> float:
    return rgb_luminance(*hex_to_rgb(value))


def rgb_luminance(red: float, green: float, blue: float) -> float:
    """WCAG relative luminance of an sRGB colour given as 0..1 components."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def gray_level(red: float, green: float, blue: float) -> float:
    """The sRGB level (0..1, a multiple of 1/255) of the neutral gray with the colour's luminance.

    Used for colours that are not brand hex values: the shapes of SVG
    drawings.  Rounded to 8 bits like :func:`to_gray`, so that the same
    colour maps to the same gray whichever way it reaches the page.
    """
    lum = rgb_luminance(red, green, blue)
    # invert the sRGB transfer function for a neutral gray of that luminance
    c = lum * 12.92 if lum <= 0.0031308 else 1.055 * lum ** (1 / 2.4) - 0.055
    return round(max(0.0, min(1.0, c)) * 255) / 255


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two hex colours, 1.0 … 21.0."""
    a, b = relative_luminance(first), relative_luminance(second)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def to_gray(value: str) -> str:
    """The gray with the same relative luminance, so contrast is kept when printed in black and white."""
    level = round(gray_level(*hex_to_rgb(value)) * 255)
    return f"#{level:02X}{level:02X}{level:02X}"
