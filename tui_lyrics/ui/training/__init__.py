"""The Training screen and what only it uses: the settings form, the time estimate, the run monitor
and its loss curves, its messages and its styles. The run itself belongs to the run service
(``ui/runs.py``)."""
