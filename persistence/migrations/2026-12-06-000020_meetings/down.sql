DROP TABLE meeting_agenda_items;
DROP TABLE meeting_participants;
DROP TABLE meeting_organizers;
DROP TABLE meetings;
