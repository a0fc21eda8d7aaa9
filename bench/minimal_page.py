"""The floor of Streamlit itself: an Altair heatmap of BENCH_ROWS x BENCH_COLS cells from a ready DataFrame.

Served by `bench/run.py` beside the dashboard (`streamlit run bench/minimal_page.py`); the same marks as the
org heatmap (rect + number, tooltip, click selection) at the same size (26 px a row, 48 px a column, in a box of
900 px that scrolls when the rows need more: every row readable, as the org heatmap draws them), no database,
no package.
"""

import os

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

ROWS = int(os.environ.get("BENCH_ROWS", "50"))
COLS = int(os.environ.get("BENCH_COLS", "12"))


@st.cache_data
def cells(rows: int, cols: int) -> pd.DataFrame:
    """rows x cols cells with a level-like value and its label."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "row": np.repeat([f"product {r // 5:03d} / team {r:04d}" for r in range(rows)], cols),
            "column": np.tile([f"category {c:02d}" for c in range(cols)], rows),
            "value": rng.uniform(0, 4, rows * cols).round(2),
            "n": rng.integers(5, 13, rows * cols),
        }
    )
    frame["label"] = frame["value"].map("{:.1f}".format)
    return frame


st.title("Minimal heatmap")
data = cells(ROWS, COLS)
base = alt.Chart(data).encode(x=alt.X("column:N", axis=alt.Axis(labelAngle=-45)), y=alt.Y("row:N", sort=None))
tooltip = ["row:N", "column:N", alt.Tooltip("value:Q", format=".2f"), "n:Q"]
rect = base.mark_rect(stroke="white", strokeWidth=1).encode(
    color=alt.Color("value:Q", scale=alt.Scale(domain=[0, 4], scheme="blues")), tooltip=tooltip
)
text = base.mark_text(fontSize=11).encode(text="label:N", tooltip=tooltip)
rect = rect.add_params(alt.selection_point(name="cell", fields=["row", "column"], on="click"))
chart = alt.layer(rect, text).properties(width=alt.Step(48), height=alt.Step(26))  # charts.COLUMN_STEP, ROW_STEP
tall = 26 * ROWS + 230 > 900  # charts.scroll_height: rows and margin past MAX_HEIGHT scroll in a box
with st.container(height=900 if tall else "content"):
    st.altair_chart(chart, key="heatmap", on_select="rerun", width="content")
