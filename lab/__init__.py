"""Streamlit-side helpers of the app: presets, URL state, cached engine calls."""
