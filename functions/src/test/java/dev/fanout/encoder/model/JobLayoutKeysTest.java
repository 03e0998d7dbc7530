package dev.fanout.encoder.model;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every key a job writes, as README's "Output layout" documents them: viewers, players and the
 * bucket's lifecycle rule (work/ expires) depend on these exact names.
 */
class JobLayoutKeysTest {
    @Test
    void publishedKeysAreUnderJobsAndIntermediateOnesUnderWork() {
        JobLayout l = JobLayout.of("out-bucket", "film-0a1b2c3d4e5f");
        assertEquals("out-bucket", l.bucket());
        assertEquals(List.of(
                        "jobs/film-0a1b2c3d4e5f/manifest.mpd",
                        "jobs/film-0a1b2c3d4e5f/master.m3u8",
                        "jobs/film-0a1b2c3d4e5f/index.html",
                        "jobs/film-0a1b2c3d4e5f/job.json",
                        "jobs/film-0a1b2c3d4e5f/video/720p/init.mp4",
                        "jobs/film-0a1b2c3d4e5f/video/720p/seg-00001.m4s",
                        "jobs/film-0a1b2c3d4e5f/video/720p/seg-12345.m4s",
                        "jobs/film-0a1b2c3d4e5f/audio/init.mp4",
                        "jobs/film-0a1b2c3d4e5f/audio/seg-00002.m4s",
                        "jobs/film-0a1b2c3d4e5f/poster.jpg",
                        "jobs/film-0a1b2c3d4e5f/thumbnails/thumbnails.vtt",
                        "jobs/film-0a1b2c3d4e5f/thumbnails/sprite-001.jpg"),
                List.of(l.manifestKey(), l.masterPlaylistKey(), l.playerPageKey(), l.jobRecordKey(), l.videoInitKey("720p"),
                        l.videoSegmentKey("720p", 1), l.videoSegmentKey("720p", 12345), l.audioInitKey(), l.audioSegmentKey(2),
                        l.posterKey(), l.thumbnailTrackKey(), l.spriteKey(1)));
        assertEquals(List.of(
                        "work/film-0a1b2c3d4e5f/plan.json",
                        "work/film-0a1b2c3d4e5f/chunks.json",
                        "work/film-0a1b2c3d4e5f/chunks/00000.json",
                        "work/film-0a1b2c3d4e5f/chunks/00042.json",
                        "work/film-0a1b2c3d4e5f/failures/",
                        "work/film-0a1b2c3d4e5f/failures/chunk-00000.json"),
                List.of(l.planKey(), l.chunkListKey(), l.chunkResultKey(0), l.chunkResultKey(42),
                        l.failurePrefix(), l.chunkFailureKey(0)));
        assertEquals("video/360p/playlist.m3u8", JobLayout.videoPlaylistPath("360p"), "beside the rendition's segments");
        assertEquals("audio/playlist.m3u8", JobLayout.AUDIO_PLAYLIST_PATH);
    }
}
