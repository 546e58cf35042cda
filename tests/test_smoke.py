def test_home_page_shows_the_event_in_italian_first(client, event):
    page = client.get("/brescia-citta-del-noi/").get_data(as_text=True)
    assert "MO.CA" in page
    assert "Pranzo con musica" in page
