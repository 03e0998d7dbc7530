package dev.fanout.encoder.plan;

import dev.fanout.encoder.model.SourceInfo;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Ids (= folders), RFC 5646 languages, names and the default of the audio renditions. */
class AudioRenditionsTest {
    static SourceInfo.Audio track(int index, String language, String title, boolean isDefault) {
        return new SourceInfo.Audio("aac", 48000, 2, 0, 9, index + 1, index, language, title, isDefault);
    }

    static SourceInfo source(SourceInfo.Audio... tracks) {
        return new SourceInfo("mov", 1, 9, null, List.of(tracks));
    }

    @Test
    void theFirstTrackKeepsTheSingleTrackFolderAndTheOthersAreNamedByLanguage() {
        List<AudioRenditions.AudioRendition> r = AudioRenditions.of(source(track(0, "eng", "", false), track(1, "deu", "", true)));
        assertEquals(List.of("audio", "audio-de"), r.stream().map(AudioRenditions.AudioRendition::id).toList());
        assertEquals(List.of("en", "de"), r.stream().map(AudioRenditions.AudioRendition::language).toList());
        assertEquals(List.of("English", "German"), r.stream().map(AudioRenditions.AudioRendition::name).toList());
        assertEquals(List.of(false, true), r.stream().map(AudioRenditions.AudioRendition::main).toList(), "the source's default is the default");
    }

    @Test
    void tracksSharingALanguageGetDistinctFoldersAndNames() {
        List<AudioRenditions.AudioRendition> r = AudioRenditions.of(source(track(0, "eng", "", false), track(1, "eng", "", false),
                track(2, "eng", "", false), track(3, "und", "", false)));
        assertEquals(List.of("audio", "audio-en", "audio-en-3", "audio-4"), r.stream().map(AudioRenditions.AudioRendition::id).toList());
        assertEquals(List.of("English", "English (2)", "English (3)", "Audio 4"), r.stream().map(AudioRenditions.AudioRendition::name).toList());
        assertEquals(List.of(true, false, false, false), r.stream().map(AudioRenditions.AudioRendition::main).toList(), "no default marked: the first");
    }

    @Test
    void aTitleNamesItsTrack() {
        List<AudioRenditions.AudioRendition> r = AudioRenditions.of(source(track(0, "eng", "", true), track(1, "eng", "Commentary", false)));
        assertEquals(List.of("English", "Commentary"), r.stream().map(AudioRenditions.AudioRendition::name).toList());
    }

    @Test
    void oneUntaggedTrackIsTheAudioItAlwaysWas() {
        AudioRenditions.AudioRendition only = AudioRenditions.of(source(new SourceInfo.Audio("aac", 48000, 2, 0, 9))).get(0);
        assertEquals(List.of("audio", "und", "Audio", true), List.of(only.id(), only.language(), only.name(), only.main()));
    }

    @Test
    void iso639CodesBecomeRfc5646Tags() {
        assertEquals("en", AudioRenditions.bcp47("eng"));
        assertEquals("de", AudioRenditions.bcp47("deu"));
        assertEquals("de", AudioRenditions.bcp47("ger"), "bibliographic code");
        assertEquals("fr", AudioRenditions.bcp47("fre"));
        assertEquals("zh", AudioRenditions.bcp47("chi"));
        assertEquals("fil", AudioRenditions.bcp47("fil"), "no two-letter code: the three-letter one");
        assertEquals("und", AudioRenditions.bcp47("und"));
        assertEquals("und", AudioRenditions.bcp47("e-g"));
        assertEquals("und", AudioRenditions.bcp47("qq"), "not an ISO 639-1 code");
        assertEquals("en", AudioRenditions.bcp47("en"));
    }
}
