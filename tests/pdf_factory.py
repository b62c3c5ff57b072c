"""Build small PDFs for tests and the sample minutes (fpdf2, core fonts: Latin-1 covers æøå)."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF


def write_pdf(path: Path, pages: list[str], header: str | None = None, footer: str | None = None) -> Path:
    """One string per page; `header`/`footer` repeat on every page ("{page}" is replaced by the number)."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    for number, body in enumerate(pages, start=1):
        pdf.add_page()
        pdf.set_font("Helvetica", size=9)
        if header:
            pdf.set_xy(15, 8)
            pdf.cell(0, 5, header.format(page=number))
        pdf.set_xy(15, 20)
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(180, 5, body)
        if footer:
            pdf.set_xy(15, 285)
            pdf.set_font("Helvetica", size=9)
            pdf.cell(0, 5, footer.format(page=number))
    pdf.output(str(path))
    return Path(path)


def write_image_only_pdf(path: Path, pages: int = 2) -> Path:
    """A PDF with drawings but no text layer, like a scan."""
    pdf = FPDF(format="A4")
    for _ in range(pages):
        pdf.add_page()
        pdf.rect(20, 20, 100, 60, style="F")
    pdf.output(str(path))
    return Path(path)


NUMBERED_MINUTES = [
    "Referat\nBeskæftigelses- og Integrationsudvalget\nMødedato: 3. oktober 2023\nDeltagere: Lars Friis (A), "
    "Maja Bech (V), Niels Holt (Ø)\nAfbud: Ole Winther\n\nSagsoversigt\n1. Godkendelse af dagsorden ....... 2\n"
    "2. Integrationsindsats for nyankomne flygtninge ....... 2\n3. Sygefravær i jobcentret ....... 3",
    "1. Godkendelse af dagsorden\nSagsnr.: 23/30001\nBeslutning\nGodkendt.\n\n"
    "2. Integrationsindsats for nyankomne flygtninge\nSagsnr.: 23/28765\nSagsfremstilling\nVejle Kommune modtog 64 "
    "flygtninge i 2023. Indsatsen har tre spor:\n1. Danskundervisning fra dag et.\n2. Virksomhedspraktik.\n"
    "Indstilling\nJobcentret indstiller,\nat orienteringen tages til efterretning.\nBeslutning\nTaget til efterretning.",
    "3. Sygefravær i jobcentret\nSagsnr.: 23/29110\nSagsfremstilling\nSygefraværet er 6,1 % mod 5,2 % i 2022.\n"
    "Indstilling\nJobcentret indstiller,\nat handleplanen for nedbringelse af sygefravær godkendes.\n"
    "Beslutning i Beskæftigelses- og Integrationsudvalget den 03-10-2023\nGodkendt.",
]


if __name__ == "__main__":  # regenerates data/sample/nummererede_punkter.pdf
    target = Path(__file__).resolve().parent.parent / "data" / "sample" / "nummererede_punkter.pdf"
    write_pdf(target, NUMBERED_MINUTES, header="Vejle Kommune  Beskæftigelses- og Integrationsudvalget",
              footer="Side {page} af 3")
    print(target)


def write_scanned_pdf(path: Path, lines: list[str]) -> Path:
    """A 'scan': the text rendered to a picture (matplotlib) and placed in a PDF without a text layer."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    image = Path(path).with_suffix(".png")
    figure = plt.figure(figsize=(8.27, 11.69), dpi=150)
    for index, line in enumerate(lines):
        figure.text(0.08, 0.95 - index * 0.035, line, fontsize=13, family="DejaVu Sans")
    figure.savefig(image, dpi=150)
    plt.close(figure)
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.image(str(image), x=0, y=0, w=210, h=297)
    pdf.output(str(path))
    return Path(path)
