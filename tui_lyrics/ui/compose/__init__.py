"""The Compose screen and everything only it uses: the controls, the take desk (view, list,
alternatives, status, memorisation meter), the first-line input, its dialogs, the takes as plain
data, what is kept between visits, and the background jobs and the messages they report by."""
