from django.db import migrations

SQL = """
CREATE FUNCTION instruction_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'instruction_event is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER instruction_event_no_update_delete
    BEFORE UPDATE OR DELETE ON instruction_event
    FOR EACH ROW EXECUTE FUNCTION instruction_event_append_only();
"""
REVERSE = """
DROP TRIGGER IF EXISTS instruction_event_no_update_delete ON instruction_event;
DROP FUNCTION IF EXISTS instruction_event_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("instruction", "0002_initial")]
    operations = [migrations.RunSQL(SQL, REVERSE)]
